using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Bson;
using MongoDB.Driver;
using Nocturne.Grains.Import;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Import;

/// <summary>
/// A Nightscout site's MongoDB, shaped as the reference writes it and holding the odd documents real
/// sites have, imported through the operator API and through <see cref="SiteImporter"/> directly:
/// ids kept, what can be imported is, what cannot is reported with why, tokens keep working, and an
/// interrupted import resumes without duplicates or gaps.
/// </summary>
public sealed class MongoImportTests(MultiSiteApi api, MongoServer mongo) : IClassFixture<MultiSiteApi>, IClassFixture<MongoServer>
{
    private const string SourceSecret = "the-source-sites-api-secret";
    private static readonly long Start = DateTimeOffset.UtcNow.AddDays(-10).ToUnixTimeMilliseconds();

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");

    private static BsonDocument Sgv(int i, int sgv) => new()
    {
        ["_id"] = ObjectId.GenerateNewId(),
        ["device"] = "xDrip-DexcomG6",
        ["date"] = Start + (i * 300_000L),
        ["dateString"] = Iso(Start + (i * 300_000L)),
        ["sgv"] = sgv,
        ["delta"] = 1.5,
        ["direction"] = "Flat",
        ["type"] = "sgv",
        ["utcOffset"] = 0,
        ["sysTime"] = Iso(Start + (i * 300_000L)),
    };

    private static readonly ObjectId MealId = ObjectId.GenerateNewId();
    private static readonly ObjectId MumId = ObjectId.GenerateNewId();
    private static readonly ObjectId RigId = ObjectId.GenerateNewId();
    private static readonly string AapsUuid = Guid.NewGuid().ToString();

    /// <summary>Seeds <paramref name="database"/>; returns how many valid, distinct entries it holds.</summary>
    private async Task<int> SeedAsync(string database)
    {
        var db = mongo.Database(database);
        var entries = Enumerable.Range(0, 20).Select(i => Sgv(i, 100 + i)).ToList();
        entries.AddRange(
        [
            // v3 clients (AAPS) create documents whose _id is a UUID: it becomes the identifier.
            new BsonDocument(Sgv(30, 130)) { ["_id"] = Guid.NewGuid().ToString() },
            // Some uploaders wrote their own string ids.
            new BsonDocument(Sgv(31, 131)) { ["_id"] = "xdrip-31" },
            // date as a numeric string, as a BSON date, and missing beside a dateString.
            new BsonDocument(Sgv(32, 132)) { ["date"] = (Start + (32 * 300_000L)).ToString() },
            new BsonDocument(Sgv(33, 133)) { ["date"] = new BsonDateTime(Start + (33 * 300_000L)) },
            RemoveFields(Sgv(34, 134), "date"),
            // sgv as a string.
            new BsonDocument(Sgv(35, 0)) { ["sgv"] = "135" },
            // A second upload of reading 0 (same date and type, another _id).
            new BsonDocument(Sgv(0, 100)) { ["_id"] = ObjectId.GenerateNewId() },
            // No time at all, and an unreadable value: both reported, not imported.
            RemoveFields(Sgv(36, 136), "date", "dateString", "sysTime"),
            new BsonDocument(Sgv(37, 0)) { ["sgv"] = "LOW!" },
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["type"] = "mbg", ["mbg"] = 112, ["date"] = Start + 100_000, ["device"] = "meter" },
        ]);
        await db.GetCollection<BsonDocument>("entries").InsertManyAsync(entries);

        await db.GetCollection<BsonDocument>("treatments").InsertManyAsync(
        [
            new BsonDocument { ["_id"] = MealId, ["eventType"] = "Meal Bolus", ["insulin"] = 2.5, ["carbs"] = 30, ["created_at"] = Iso(Start + 3_600_000), ["enteredBy"] = "careportal" },
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["eventType"] = "Correction Bolus", ["insulin"] = "1.5", ["created_at"] = new BsonDateTime(Start + 7_200_000), ["enteredBy"] = "xdrip" },
            new BsonDocument { ["_id"] = AapsUuid, ["identifier"] = AapsUuid, ["eventType"] = "Temp Basal", ["absolute"] = 0.4, ["rate"] = 0.4, ["duration"] = 30, ["created_at"] = Iso(Start + 9_000_000), ["enteredBy"] = "openaps://AndroidAPS", ["srvModified"] = Start + 9_000_500 },
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["eventType"] = "Note", ["notes"] = "no time" },
        ]);
        await db.GetCollection<BsonDocument>("devicestatus").InsertManyAsync(
        [
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["device"] = "openaps://rig", ["created_at"] = Iso(Start + 600_000), ["uploaderBattery"] = 80, ["openaps"] = new BsonDocument { ["iob"] = new BsonDocument { ["iob"] = 1.2 } } },
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["device"] = "openaps://rig", ["created_at"] = Iso(Start + 900_000), ["uploaderBattery"] = 79 },
        ]);
        await db.GetCollection<BsonDocument>("profile").InsertOneAsync(new BsonDocument
        {
            ["_id"] = ObjectId.GenerateNewId(),
            ["defaultProfile"] = "Default",
            ["startDate"] = Iso(Start),
            ["created_at"] = Iso(Start),
            ["units"] = "mg/dl",
            ["store"] = new BsonDocument { ["Default"] = new BsonDocument { ["dia"] = 5, ["timezone"] = "UTC", ["units"] = "mg/dl", ["basal"] = new BsonArray { new BsonDocument { ["time"] = "00:00", ["value"] = 0.8 } } } },
        });
        await db.GetCollection<BsonDocument>("food").InsertOneAsync(new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["type"] = "food", ["name"] = "Apple", ["carbs"] = 14, ["portion"] = 1, ["unit"] = "pcs" });
        await db.GetCollection<BsonDocument>("activity").InsertOneAsync(new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["created_at"] = Iso(Start + 1_000_000), ["steps"] = 1200 });
        await db.GetCollection<BsonDocument>("auth_roles").InsertOneAsync(new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["name"] = "caregiver", ["permissions"] = new BsonArray { "api:*:read", "api:treatments:create" }, ["notes"] = "" });
        await db.GetCollection<BsonDocument>("auth_subjects").InsertManyAsync(
        [
            new BsonDocument { ["_id"] = MumId, ["name"] = "Mum's phone", ["roles"] = new BsonArray { "caregiver" }, ["notes"] = "", ["created_at"] = Iso(Start) },
            new BsonDocument { ["_id"] = RigId, ["name"] = "rig", ["roles"] = new BsonArray { "devicestatus-upload" }, ["created_at"] = Iso(Start) },
        ]);
        return 20 + 7;
    }

    private static BsonDocument RemoveFields(BsonDocument doc, params string[] fields)
    {
        foreach (var field in fields)
        {
            doc.Remove(field);
        }

        return doc;
    }

    /// <summary>The token the reference shows for a subject, computed here from its documented recipe.</summary>
    private static string ReferenceToken(string name, ObjectId id)
    {
        var abbrev = new string(name.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').ToArray());
        return $"{abbrev[..Math.Min(10, abbrev.Length)]}-{MultiSiteApi.Sha1(MultiSiteApi.Sha1(SourceSecret) + id)[..16]}";
    }

    private Task<JsonElement> ImportThroughApiAsync(string site, object body) => SiteImports.RunAsync(api, site, "imports", body);

    // Only numbers count: a reading left as the string "135" would not be read by clients as one.
    private static int? SgvOf(JsonElement entry) =>
        entry.TryGetProperty("sgv", out var sgv) && sgv.ValueKind == JsonValueKind.Number ? sgv.GetInt32() : null;

    private static JsonElement CollectionOf(JsonElement progress, string name) => SiteImports.CollectionOf(progress, name);

    [Fact]
    public async Task ImportsTheReferenceShapedDatabaseKeepingIdsAndTokensAndReportsWhatItSkipped()
    {
        var database = $"ns{Guid.NewGuid():N}";
        var validEntries = await SeedAsync(database);
        var (site, secret) = await api.CreateSiteAsync("mongoimp");

        var progress = await ImportThroughApiAsync(site, new { mongoUrl = mongo.Url(database), sourceApiSecret = SourceSecret });
        Assert.True(progress.GetProperty("state").GetString() == ImportState.Finished, progress.ToString());

        var entries = CollectionOf(progress, "entries");
        Assert.Equal(30, entries.GetProperty("sourceCount").GetInt64());
        Assert.Equal(30, entries.GetProperty("read").GetInt64());
        Assert.Equal(validEntries, entries.GetProperty("stored").GetInt64());
        var skipped = entries.GetProperty("skipped").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(1, skipped.Single(s => s.Key.Contains("its time cannot be known", StringComparison.Ordinal)).Value);
        Assert.Equal(1, skipped.Single(s => s.Key.Contains("sgv must be a number", StringComparison.Ordinal)).Value);
        Assert.Equal(1, skipped[SiteImporter.AlreadyHere]);
        Assert.Equal(3, CollectionOf(progress, "treatments").GetProperty("stored").GetInt64());
        Assert.Contains("no created_at", CollectionOf(progress, "treatments").GetProperty("skipped").ToString(), StringComparison.Ordinal);
        Assert.Equal(2, CollectionOf(progress, "devicestatus").GetProperty("stored").GetInt64());
        Assert.Equal(1, CollectionOf(progress, "profile").GetProperty("stored").GetInt64());
        Assert.Equal(1, CollectionOf(progress, "food").GetProperty("stored").GetInt64());
        Assert.Equal(1, CollectionOf(progress, "activity").GetProperty("stored").GetInt64());

        // Sample documents: ids, repaired dates and numbers.
        var stored = (await api.GetOkAsync(site, secret, $"/api/v1/entries.json?count=100&find[date][$gte]={Start - 1}")).EnumerateArray().ToList();
        Assert.Equal(validEntries, stored.Count);
        var source = mongo.Database(database).GetCollection<BsonDocument>("entries");
        var first = await source.Find(new BsonDocument("sgv", 100)).Sort(new BsonDocument("_id", 1)).FirstAsync();
        Assert.Contains(stored, e => e.GetProperty("_id").GetString() == first["_id"].AsObjectId.ToString() && SgvOf(e) == 100);
        Assert.Equal(Start + (32 * 300_000L), stored.Single(e => SgvOf(e) == 132).GetProperty("date").GetInt64());
        Assert.Equal(Start + (33 * 300_000L), stored.Single(e => SgvOf(e) == 133).GetProperty("date").GetInt64());
        Assert.Equal(Start + (34 * 300_000L), stored.Single(e => SgvOf(e) == 134).GetProperty("date").GetInt64());
        Assert.Contains(stored, e => SgvOf(e) == 135);
        var treatments = (await api.GetOkAsync(site, secret, $"/api/v1/treatments.json?count=100&find[created_at][$gte]={Iso(Start - 1)}")).EnumerateArray().ToList();
        var meal = treatments.Single(t => t.GetProperty("eventType").GetString() == "Meal Bolus");
        Assert.Equal(MealId.ToString(), meal.GetProperty("_id").GetString());
        Assert.Equal(2.5, meal.GetProperty("insulin").GetDouble());
        Assert.Equal(1.5, treatments.Single(t => t.GetProperty("eventType").GetString() == "Correction Bolus").GetProperty("insulin").GetDouble());
        Assert.Equal(Iso(Start + 7_200_000), treatments.Single(t => t.GetProperty("eventType").GetString() == "Correction Bolus").GetProperty("created_at").GetString());
        Assert.Contains(treatments, t => t.TryGetProperty("identifier", out var identifier) && identifier.GetString() == AapsUuid);

        // The source's tokens work here: the caregiver may read and add treatments, as on the old site.
        var mum = ReferenceToken("Mum's phone", MumId);
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, $"/api/v2/authorization/request/{mum}"))).Status);
        var (created, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, $"/api/v1/treatments?token={mum}", body: new { eventType = "Note", notes = "after the move", created_at = DateTimeOffset.UtcNow.ToString("o") }));
        Assert.Equal(200, created);
        var (wrong, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, $"/api/v2/authorization/request/mumsphone-0123456789abcdef"));
        Assert.Equal(401, wrong);
        var subjects = await api.GetOkAsync(site, secret, "/api/v2/authorization/subjects");
        Assert.Contains(subjects.EnumerateArray(), s => s.GetProperty("_id").GetString() == RigId.ToString());

        // Running it again adds nothing.
        var again = await ImportThroughApiAsync(site, new { mongoUrl = mongo.Url(database), sourceApiSecret = SourceSecret });
        Assert.Equal(validEntries, CollectionOf(again, "entries").GetProperty("stored").GetInt64());
        Assert.Equal(validEntries, (await api.GetOkAsync(site, secret, $"/api/v1/entries.json?count=100&find[date][$gte]={Start - 1}")).GetArrayLength());
    }

    [Fact]
    public async Task AnInterruptedImportResumesWithoutDuplicatesOrGaps()
    {
        var database = $"ns{Guid.NewGuid():N}";
        var collection = mongo.Database(database).GetCollection<BsonDocument>("entries");
        // Mixed _id types as real sites have them: strings sort before ObjectIds in MongoDB's order.
        var documents = Enumerable.Range(0, 60).Select(i => i % 4 == 0 ? new BsonDocument(Sgv(i, 100 + i)) { ["_id"] = $"uploader-{i:D3}" } : Sgv(i, 100 + i)).ToList();
        await collection.InsertManyAsync(documents);
        var (site, secret) = await api.CreateSiteAsync("mongoresume");
        var importer = api.Factory.Services.GetRequiredService<SiteImporter>();

        await using (var failing = new FailingSource(new MongoImportSource(mongo.Url(database), null, pageSize: 7), pagesBeforeFailure: 3))
        {
            var interrupted = await importer.RunAsync(site, failing, new SiteImportOptions());
            Assert.Equal(ImportState.Failed, interrupted.State);
            Assert.Equal(21, interrupted.Of("entries").Imported);
        }

        // New data arrives at the source meanwhile.
        await collection.InsertOneAsync(Sgv(70, 170));
        await using var source = new MongoImportSource(mongo.Url(database), null, pageSize: 7);
        var resumed = await importer.RunAsync(site, source, new SiteImportOptions());
        Assert.True(resumed.State == ImportState.Finished, resumed.Message);
        var entries = resumed.Of("entries");
        Assert.Equal(61, entries.Read);
        Assert.Equal(61, entries.Imported);
        Assert.Equal(0, entries.SkippedTotal);
        Assert.Equal(61, entries.Stored);
        var stored = (await api.GetOkAsync(site, secret, $"/api/v1/entries.json?count=100&find[date][$gte]={Start - 1}")).EnumerateArray().ToList();
        Assert.Equal(61, stored.Select(e => e.GetProperty("date").GetInt64()).Distinct().Count());
        Assert.Equal(61, stored.Count);
    }

    [Fact]
    public async Task ABadMongoUrlOrMissingSiteIsRefusedClearly()
    {
        var (site, _) = await api.CreateSiteAsync("mongobad");
        var (bad, body) = await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/imports", new { mongoUrl = "http://example.com/db" }));
        Assert.Equal(400, bad);
        Assert.Contains("mongodb://", body.ToString(), StringComparison.Ordinal);
        var (noDb, _) = await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/imports", new { mongoUrl = $"mongodb://127.0.0.1:{mongo.Port}" }));
        Assert.Equal(400, noDb);
        var (missing, _) = await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants/no-such-site/imports", new { mongoUrl = mongo.Url("x") }));
        Assert.Equal(404, missing);
        var anonymous = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/tenants/{site}/imports");
        Assert.Contains((await api.SendAsync(anonymous)).Status, new[] { 401, 403 });
    }

    [Fact]
    public async Task TheCliImportsManySitesFromAListAndReportsWhatItCouldNot()
    {
        var (first, second) = ($"ns{Guid.NewGuid():N}", $"ns{Guid.NewGuid():N}");
        var valid = await SeedAsync(first);
        await SeedAsync(second);
        var (existing, existingSecret) = await api.CreateSiteAsync("clia");
        var created = $"clib-{Guid.NewGuid():N}"[..16];
        var list = Path.Combine(Path.GetTempPath(), $"nocturne-import-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(list,
        [
            "# site  source  [source api secret]",
            $"{existing} {mongo.Url(first)} {SourceSecret}",
            $"{created} {mongo.Url(second)} {SourceSecret}",
            $"no-such-site-here {mongo.Url(second)}",
        ]);
        try
        {
            (await api.Client.GetAsync("/health/live")).Dispose();
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await Nocturne.Api.Hosting.TenantCommand.RunAsync(["import", "--sites", list, "--parallel", "2", "--create"], SiteImports.CliSettings(api), stdout, stderr);
            var output = stdout.ToString();
            Assert.True(exit == 1, output + stderr);
            Assert.Contains("2 of 3 sites imported", output, StringComparison.Ordinal);
            Assert.Contains("no-such-site-here: not imported: --create needs the source's API secret", output, StringComparison.Ordinal);
            Assert.Contains("its time cannot be known", output, StringComparison.Ordinal);
            Assert.Equal(valid, (await api.GetOkAsync(existing, existingSecret, $"/api/v1/entries.json?count=100&find[date][$gte]={Start - 1}")).GetArrayLength());
            // A site created by the import takes the source's API secret: its uploaders keep working.
            Assert.Equal(valid, (await api.GetOkAsync(created, SourceSecret, $"/api/v1/entries.json?count=100&find[date][$gte]={Start - 1}")).GetArrayLength());
        }
        finally
        {
            File.Delete(list);
        }
    }

    /// <summary>A source that breaks off after some pages, as a lost connection or a stopped host would.</summary>
    private sealed class FailingSource(IImportSource inner, int pagesBeforeFailure) : IImportSource
    {
        public string Description => inner.Description;

        public IReadOnlyList<Collection> Collections => [Collection.Entries];

        public Task<long?> CountAsync(Collection collection, CancellationToken cancellationToken) => inner.CountAsync(collection, cancellationToken);

        public async IAsyncEnumerable<ImportPage> ReadAsync(Collection collection, string? cursor, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var pages = 0;
            await foreach (var page in inner.ReadAsync(collection, cursor, cancellationToken))
            {
                if (pages++ == pagesBeforeFailure)
                {
                    throw new IOException("connection lost");
                }

                yield return page;
            }
        }

        public Task<SourceAccess?> ReadAccessAsync(CancellationToken cancellationToken) => Task.FromResult<SourceAccess?>(null);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
