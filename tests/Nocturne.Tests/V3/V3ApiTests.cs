using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V3;

/// <summary>API v3 against a real site, following the reference's own v3 test assertions.</summary>
public sealed class V3ApiTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static object Treatment(long date, string eventType = "Correction Bolus", double insulin = 1.5, string? identifier = null) => identifier is null
        ? new { date, utcOffset = 0, app = "AAPS", device = "dev1", eventType, insulin }
        : new { date, utcOffset = 0, app = "AAPS", device = "dev1", eventType, insulin, identifier };

    [Fact]
    public async Task IdentifiersAreDerivedAsTheReferenceDoes()
    {
        Assert.Equal("cbc16e95-d284-594a-8ade-f2ea3ec9f0aa", Nocturne.Grains.Documents.Uuid5.Create("dev1_1795369792253_Correction Bolus"));
        Assert.Equal("a9897eab-0b65-50c2-832b-33ca3738f07c", Nocturne.Grains.Documents.Uuid5.Create("xDrip-DexcomG6_1700000000000"));
        var (client, _, _) = await V3Client.CreateAsync(api);
        var (status, body, response) = await client.SendAsync(HttpMethod.Post, "/treatments", new { date = 1795369792253, utcOffset = 0, app = "AAPS", device = "dev1", eventType = "Correction Bolus", insulin = 1 });
        Assert.Equal(201, status);
        Assert.Equal("cbc16e95-d284-594a-8ade-f2ea3ec9f0aa", body.GetProperty("identifier").GetString());
        Assert.Equal("/t/" + response.RequestMessage!.RequestUri!.AbsolutePath.Split('/')[2] + "/api/v3/treatments/cbc16e95-d284-594a-8ade-f2ea3ec9f0aa", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task TheAapsSyncCycleSeesEveryChangeAndDeletionInHistory()
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        var start = Now - 60_000;
        var (_, before, _) = await client.SendAsync(HttpMethod.Get, "/lastModified");
        var since = before.GetProperty("result").GetProperty("srvDate").GetInt64();

        // Upload three treatments with identifiers.
        var ids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var created = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/treatments", Treatment(start + i * 1000, identifier: ids[i]));
            Assert.Equal(201, status);
            Assert.Equal(ids[i], body.GetProperty("identifier").GetString());
            created.Add(body.GetProperty("lastModified").GetInt64());
        }

        // Re-upload the first one: deduplicated, no second document.
        var (dedupStatus, dedup, _) = await client.SendAsync(HttpMethod.Post, "/treatments", Treatment(start, insulin: 1.5, identifier: ids[0]));
        Assert.Equal(200, dedupStatus);
        Assert.True(dedup.GetProperty("isDeduplication").GetBoolean());
        Assert.False(dedup.TryGetProperty("deduplicatedIdentifier", out _));
        var (_, search, _) = await client.SendAsync(HttpMethod.Get, $"/treatments?date$gte={start}&limit=10");
        Assert.Equal(3, search.GetProperty("result").GetArrayLength());

        // Modify the second, soft-delete the third.
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Patch, $"/treatments/{ids[1]}", new { insulin = 2.5, notes = "edited" })).Status);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Delete, $"/treatments/{ids[2]}")).Status);
        Assert.Equal(410, (await client.SendAsync(HttpMethod.Get, $"/treatments/{ids[2]}")).Status);

        // History from the last known timestamp: every document, changed ones after their change, deletion included, in srvModified order.
        var (historyStatus, history, historyResponse) = await client.SendAsync(HttpMethod.Get, $"/treatments/history/{since}");
        Assert.Equal(200, historyStatus);
        var items = history.GetProperty("result").EnumerateArray().ToList();
        Assert.Equal(ids.Order(), items.Select(i => i.GetProperty("identifier").GetString()!).Order());
        var modified = items.Select(i => i.GetProperty("srvModified").GetInt64()).ToList();
        Assert.Equal(modified.Order(), modified);
        Assert.False(items.Single(i => i.GetProperty("identifier").GetString() == ids[2]).GetProperty("isValid").GetBoolean());
        Assert.Equal(2.5, items.Single(i => i.GetProperty("identifier").GetString() == ids[1]).GetProperty("insulin").GetDouble());
        Assert.Equal($"W/\"{modified[^1]}\"", historyResponse.Headers.ETag?.ToString());
        Assert.NotNull(historyResponse.Content.Headers.LastModified);

        // Strictly after: asking from the newest srvModified gives nothing (no client loop).
        var (_, after, _) = await client.SendAsync(HttpMethod.Get, $"/treatments/history/{modified[^1]}");
        Assert.Equal(0, after.GetProperty("result").GetArrayLength());

        // lastModified agrees with history.
        var (_, last, _) = await client.SendAsync(HttpMethod.Get, "/lastModified");
        Assert.Equal(modified[^1], last.GetProperty("result").GetProperty("collections").GetProperty("treatments").GetInt64());

        // Permanent delete: gone from read and history.
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Delete, $"/treatments/{ids[2]}?permanent=true")).Status);
        Assert.Equal(404, (await client.SendAsync(HttpMethod.Get, $"/treatments/{ids[2]}")).Status);
        var (_, afterPurge, _) = await client.SendAsync(HttpMethod.Get, $"/treatments/history/{since}");
        Assert.DoesNotContain(afterPurge.GetProperty("result").EnumerateArray(), i => i.GetProperty("identifier").GetString() == ids[2]);
    }

    [Fact]
    public async Task FallbackDedupNeverTakesOverAnotherClientsDocument()
    {
        var (aaps, site, secret) = await V3Client.CreateAsync(api);
        var xdrip = new V3Client(api, site, await api.JwtAsync(site, await api.CreateSubjectAsync(site, secret, "xdrip", "admin")));
        var date = Now - 120_000;
        var identifier = Guid.NewGuid().ToString();
        Assert.Equal(201, (await aaps.SendAsync(HttpMethod.Post, "/treatments", Treatment(date, insulin: 2, identifier: identifier))).Status);

        // Same date and eventType, no identifier, from another device: a new document, as in the reference.
        var (status, body, _) = await xdrip.SendAsync(HttpMethod.Post, "/treatments",
            new { date, utcOffset = 0, app = "xDrip", device = "xdrip-phone", eventType = "Correction Bolus", insulin = 3 });
        Assert.Equal(201, status);
        Assert.NotEqual(identifier, body.GetProperty("identifier").GetString());
        Assert.False(body.TryGetProperty("isDeduplication", out var dedup) && dedup.GetBoolean());

        // The first client still finds its own document, unchanged.
        var (readStatus, read, _) = await aaps.SendAsync(HttpMethod.Get, $"/treatments/{identifier}");
        Assert.Equal(200, readStatus);
        Assert.Equal(2, read.GetProperty("result").GetProperty("insulin").GetDouble());
        var (_, both, _) = await aaps.SendAsync(HttpMethod.Get, $"/treatments?date$gte={date}&date$lte={date}");
        Assert.Equal(2, both.GetProperty("result").GetArrayLength());
    }

    [Fact]
    public async Task V1DocumentsAreVisibleAndDeduplicatedInV3()
    {
        var (client, site, secret) = await V3Client.CreateAsync(api);
        var created = DateTimeOffset.UtcNow.AddMinutes(-5);
        var iso = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff") + "Z";
        var (_, v1) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/treatments", MultiSiteApi.Sha1(secret),
            new { eventType = "Meal Bolus", created_at = iso, carbs = 20 }));
        var objectId = v1[0].GetProperty("_id").GetString()!;

        // Written through v1, it has srvModified and shows up in v3 history and by its _id.
        var (_, history, _) = await client.SendAsync(HttpMethod.Get, "/treatments/history/0");
        Assert.Contains(history.GetProperty("result").EnumerateArray(), i => i.GetProperty("identifier").GetString() == objectId);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Get, $"/treatments/{objectId}")).Status);

        // A v3 upload with the same created_at + eventType and a new identifier replaces it.
        var identifier = Guid.NewGuid().ToString();
        var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/treatments",
            new { date = created.ToUnixTimeMilliseconds(), utcOffset = 0, app = "AAPS", eventType = "Meal Bolus", carbs = 25, identifier });
        Assert.Equal(200, status);
        Assert.Equal(objectId, body.GetProperty("deduplicatedIdentifier").GetString());
        var (_, v1List) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/treatments", MultiSiteApi.Sha1(secret)));
        Assert.Equal(25, v1List.EnumerateArray().Single().GetProperty("carbs").GetDouble());

        // Another eventType is another document.
        var (otherStatus, _, _) = await client.SendAsync(HttpMethod.Post, "/treatments",
            new { date = created.ToUnixTimeMilliseconds(), utcOffset = 0, app = "AAPS", eventType = "Note", notes = "x" });
        Assert.Equal(201, otherStatus);
    }

    [Theory]
    [InlineData("{}", "Bad or missing request body")]
    [InlineData("[]", "Bad or missing request body")]
    [InlineData("[{\"date\":1795369792253}]", "Bad or missing date field")]
    [InlineData("{\"app\":\"x\",\"utcOffset\":0}", "Bad or missing date field")]
    [InlineData("{\"app\":\"x\",\"date\":\"ABC\"}", "Bad or missing date field")]
    [InlineData("{\"app\":\"x\",\"date\":-1}", "Bad or missing date field")]
    [InlineData("{\"app\":\"x\",\"date\":1}", "Bad or missing date field")]
    [InlineData("{\"app\":\"x\",\"date\":\"2019-20-60T50:90:90\"}", "Bad or missing date field")]
    [InlineData("{\"app\":\"x\",\"date\":1795369792253,\"utcOffset\":-5000}", "Bad or missing utcOffset field")]
    [InlineData("{\"app\":\"x\",\"date\":1795369792253,\"utcOffset\":\"ABC\"}", "Bad or missing utcOffset field")]
    [InlineData("{\"date\":1795369792253,\"utcOffset\":0}", "Bad or missing app field")]
    [InlineData("{\"app\":\"\",\"date\":1795369792253,\"utcOffset\":0}", "Bad or missing app field")]
    public async Task InvalidDocumentsGet400WithTheReferenceMessage(string body, string message)
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        var (status, error, _) = await client.SendAsync(HttpMethod.Post, "/treatments", body);
        Assert.Equal(400, status);
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task DatesAreNormalisedFromIsoWithOffset()
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        var (_, created, _) = await client.SendAsync(HttpMethod.Post, "/entries", new { date = "2019-06-10T08:07:08,576+02:00", app = "xDrip", device = "dex", type = "sgv", sgv = 100 });
        var (_, read, _) = await client.SendAsync(HttpMethod.Get, $"/entries/{created.GetProperty("identifier").GetString()}");
        Assert.Equal(1560146828576, read.GetProperty("result").GetProperty("date").GetInt64());
        Assert.Equal(120, read.GetProperty("result").GetProperty("utcOffset").GetInt32());
        Assert.False(read.GetProperty("result").TryGetProperty("_id", out _));
    }

    [Fact]
    public async Task SearchSupportsOperatorsSortLimitSkipAndFields()
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        var start = Now - 3_600_000;
        for (var i = 0; i < 10; i++)
        {
            await client.SendAsync(HttpMethod.Post, "/entries", new { date = start + i * 300_000, app = "xDrip", device = "dex", type = i % 2 == 0 ? "sgv" : "mbg", sgv = 100 + i, utcOffset = 0 });
        }

        async Task<List<int>> Sgvs(string query)
        {
            var (status, body, _) = await client.SendAsync(HttpMethod.Get, "/entries?" + query);
            Assert.Equal(200, status);
            return body.GetProperty("result").EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()).ToList();
        }

        Assert.Equal([109, 108, 107], await Sgvs("sort$desc=date&limit=3"));
        Assert.Equal([100, 101, 102], await Sgvs("sort=date&limit=3"));
        Assert.Equal([103, 104, 105, 106, 107], await Sgvs("sort=date&skip=3&limit=5"));
        Assert.Equal([105, 106], await Sgvs("sort=date&sgv$gte=105&sgv$lte=106"));
        Assert.Equal([104], await Sgvs("sgv=104"));
        Assert.Equal(9, (await Sgvs("sgv$ne=104")).Count);
        Assert.Equal([102, 107], (await Sgvs("sgv$in=102|107")).Order());
        Assert.Equal(8, (await Sgvs("sgv$nin=102|107")).Count);
        Assert.Equal(5, (await Sgvs("type=sgv")).Count);
        Assert.Equal(5, (await Sgvs("type$re=^m")).Count);
        Assert.Equal([108, 109], (await Sgvs($"date$gt={start + 7 * 300_000}")).Order());

        var (_, projected, _) = await client.SendAsync(HttpMethod.Get, "/entries?limit=1&fields=date,sgv");
        Assert.Equal(["date", "sgv"], projected.GetProperty("result")[0].EnumerateObject().Select(p => p.Name).Order());
        var (_, all, _) = await client.SendAsync(HttpMethod.Get, "/entries?limit=1&fields=_all");
        var names = all.GetProperty("result")[0].EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("identifier", names);
        Assert.Contains("srvModified", names);
        Assert.Contains("srvCreated", names);
        Assert.DoesNotContain("_id", names);

        foreach (var (query, message) in new[]
        {
            ("limit=INVALID", "Parameter limit out of tolerance"), ("limit=0", "Parameter limit out of tolerance"),
            ("limit=-1", "Parameter limit out of tolerance"), ("limit=1001", "Parameter limit out of tolerance"),
            ("skip=INVALID", "Parameter skip out of tolerance"), ("skip=-5", "Parameter skip out of tolerance"),
            ("sort=date&sort$desc=date", "Parameters sort and sort_desc cannot be combined"), ("sgv$foo=1", "Unsupported filter operator foo"),
        })
        {
            var (status, error, _) = await client.SendAsync(HttpMethod.Get, "/entries?" + query);
            Assert.Equal(400, status);
            Assert.Equal(message, error.GetProperty("message").GetString());
        }

        var (_, page, pageResponse) = await client.SendAsync(HttpMethod.Get, "/entries?sort=date&limit=4");
        Assert.Equal(4, page.GetProperty("result").GetArrayLength());
        Assert.Contains("skip=4", pageResponse.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadHonoursConditionalHeadersAndFormats()
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        var (_, created, _) = await client.SendAsync(HttpMethod.Post, "/food", new { date = Now, app = "web", name = "Apple", carbs = 15, utcOffset = 0 });
        var id = created.GetProperty("identifier").GetString();
        var (status, _, response) = await client.SendAsync(HttpMethod.Get, $"/food/{id}");
        Assert.Equal(200, status);
        var lastModified = response.Content.Headers.LastModified!.Value;
        Assert.Equal(304, (await client.SendAsync(HttpMethod.Get, $"/food/{id}", configure: r => r.Headers.IfModifiedSince = lastModified.AddYears(1))).Status);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Get, $"/food/{id}", configure: r => r.Headers.IfModifiedSince = lastModified.AddYears(-1))).Status);
        Assert.Equal(304, (await client.SendAsync(HttpMethod.Get, $"/food/{id}", configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.ToString()))).Status);
        Assert.Equal(404, (await client.SendAsync(HttpMethod.Get, "/food/no-such-thing")).Status);

        var (csvStatus, _, csv) = await client.SendAsync(HttpMethod.Get, "/food.csv");
        Assert.Equal(200, csvStatus);
        Assert.StartsWith("name,carbs", (await csv.Content.ReadAsStringAsync()).Replace("date,", "", StringComparison.Ordinal).Replace("app,", "", StringComparison.Ordinal).Replace("utcOffset,", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var (_, _, xml) = await client.SendAsync(HttpMethod.Get, "/food", configure: r => r.Headers.Accept.ParseAdd("application/xml"));
        Assert.StartsWith("<?xml version='1.0' encoding='utf-8'?><item><status>200</status>", await xml.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(406, (await client.SendAsync(HttpMethod.Get, "/food", configure: r => r.Headers.Accept.ParseAdd("font/ttf"))).Status);
    }

    [Fact]
    public async Task PutReplacesPatchMergesAndImmutableFieldsAreGuarded()
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        var date = Now - 120_000;
        var (putStatus, _, putResponse) = await client.SendAsync(HttpMethod.Put, "/treatments/newid-1", new { date, utcOffset = 0, app = "AAPS", eventType = "Note", notes = "a", extra = 1 });
        Assert.Equal(201, putStatus);
        Assert.EndsWith("/api/v3/treatments/newid-1", putResponse.Headers.Location!.ToString(), StringComparison.Ordinal);

        Assert.Equal(200, (await client.SendAsync(HttpMethod.Put, "/treatments/newid-1", new { date, utcOffset = 0, app = "AAPS", eventType = "Note", notes = "b", identifier = "ignored" })).Status);
        var (_, read, _) = await client.SendAsync(HttpMethod.Get, "/treatments/newid-1");
        Assert.Equal("b", read.GetProperty("result").GetProperty("notes").GetString());
        Assert.False(read.GetProperty("result").TryGetProperty("extra", out _));
        Assert.Equal("aaps", read.GetProperty("result").GetProperty("subject").GetString());

        var (immutable, error, _) = await client.SendAsync(HttpMethod.Put, "/treatments/newid-1", new { date = date + 1, utcOffset = 0, app = "AAPS", eventType = "Note" });
        Assert.Equal(400, immutable);
        Assert.Equal("Field date cannot be modified by the client", error.GetProperty("message").GetString());
        Assert.Equal(412, (await client.SendAsync(HttpMethod.Put, "/treatments/newid-1", new { date, utcOffset = 0, app = "AAPS", eventType = "Note" },
            r => r.Headers.IfUnmodifiedSince = DateTimeOffset.UtcNow.AddHours(-1))).Status);

        Assert.Equal(200, (await client.SendAsync(HttpMethod.Patch, "/treatments/newid-1", new { durationInMilliseconds = 1_800_000 })).Status);
        var (_, patched, _) = await client.SendAsync(HttpMethod.Get, "/treatments/newid-1");
        Assert.Equal(date + 1_800_000, patched.GetProperty("result").GetProperty("endmills").GetInt64());
        Assert.Equal(30, patched.GetProperty("result").GetProperty("duration").GetInt32());
        Assert.Equal("aaps", patched.GetProperty("result").GetProperty("modifiedBy").GetString());
        Assert.Equal(400, (await client.SendAsync(HttpMethod.Patch, "/treatments/newid-1", new { identifier = "other" })).Status);
        Assert.Equal(404, (await client.SendAsync(HttpMethod.Patch, "/treatments/missing", new { notes = "x" })).Status);

        await client.SendAsync(HttpMethod.Delete, "/treatments/newid-1");
        Assert.Equal(410, (await client.SendAsync(HttpMethod.Put, "/treatments/newid-1", new { date, utcOffset = 0, app = "AAPS", eventType = "Note" })).Status);
        Assert.Equal(410, (await client.SendAsync(HttpMethod.Patch, "/treatments/newid-1", new { notes = "x" })).Status);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Delete, "/treatments/newid-1")).Status);

        // Posting onto a soft-deleted identifier revives it.
        var (revived, _, _) = await client.SendAsync(HttpMethod.Post, "/treatments", new { date, utcOffset = 0, app = "AAPS", eventType = "Note", identifier = "newid-1" });
        Assert.Equal(200, revived);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Get, "/treatments/newid-1")).Status);
    }

    [Fact]
    public async Task ReadOnlyDocumentsCannotBeModified()
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        await client.SendAsync(HttpMethod.Post, "/treatments", new { date = Now, utcOffset = 0, app = "x", eventType = "Note", identifier = "ro-1", isReadOnly = true });
        foreach (var (method, body) in new (HttpMethod, object?)[]
        {
            (HttpMethod.Post, new { date = Now, utcOffset = 0, app = "x", eventType = "Note", identifier = "ro-1" }),
            (HttpMethod.Patch, new { notes = "x" }),
        })
        {
            var (status, error, _) = await client.SendAsync(method, method == HttpMethod.Post ? "/treatments" : "/treatments/ro-1", body);
            Assert.Equal(422, status);
            Assert.Equal("Trying to modify read-only document", error.GetProperty("message").GetString());
        }

        Assert.Equal(422, (await client.SendAsync(HttpMethod.Delete, "/treatments/ro-1?permanent=true")).Status);
    }

    [Fact]
    public async Task PermissionsAreCheckedPerOperation()
    {
        var (reader, site, secret) = await V3Client.CreateAsync(api, "readable");
        var (status, error, _) = await reader.SendAsync(HttpMethod.Post, "/treatments", Treatment(Now));
        Assert.Equal(403, status);
        Assert.Equal("Missing permission api:treatments:create", error.GetProperty("message").GetString());

        var creatorToken = await api.CreateSubjectAsync(site, secret, "careportal-only", "careportal");
        var creator = new V3Client(api, site, await api.JwtAsync(site, creatorToken));
        var identifier = Guid.NewGuid().ToString();
        Assert.Equal(201, (await creator.SendAsync(HttpMethod.Post, "/treatments", Treatment(Now - 1000, identifier: identifier))).Status);
        var (again, againError, _) = await creator.SendAsync(HttpMethod.Post, "/treatments", Treatment(Now - 1000, identifier: identifier));
        Assert.Equal(403, again);
        Assert.Equal("Missing permission api:treatments:update", againError.GetProperty("message").GetString());

        var deniedToken = await api.CreateSubjectAsync(site, secret, "nobody", "denied");
        var denied = new V3Client(api, site, await api.JwtAsync(site, deniedToken));
        var (deniedStatus, deniedError, _) = await denied.SendAsync(HttpMethod.Get, "/entries");
        Assert.Equal(403, deniedStatus);
        Assert.Equal("Missing permission api:entries:read", deniedError.GetProperty("message").GetString());

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v3/entries");
        var (anonymousStatus, anonymousError) = await api.SendAsync(anonymous);
        Assert.Equal(401, anonymousStatus);
        Assert.Equal("Missing or bad access token or JWT", anonymousError.GetProperty("message").GetString());
        using var secretOnV3 = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v3/entries", MultiSiteApi.Sha1(secret));
        Assert.Equal(401, (await api.SendAsync(secretOnV3)).Status);

        var (statusCode, statusBody, _) = await reader.SendAsync(HttpMethod.Get, "/status");
        Assert.Equal(200, statusCode);
        Assert.Equal("r", statusBody.GetProperty("result").GetProperty("apiPermissions").GetProperty("treatments").GetString());
        Assert.Equal(404, (await reader.SendAsync(HttpMethod.Get, "/nonsense")).Status);
        Assert.Equal("Bad operation or collection", (await reader.SendAsync(HttpMethod.Post, "/nonsense", new { a = 1 })).Body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task SoftDeletesThroughV3AreSeenByTheLiveProperties()
    {
        var (client, site, secret) = await V3Client.CreateAsync(api);
        var (_, created, _) = await client.SendAsync(HttpMethod.Post, "/treatments",
            new { date = Now - 3_600_000, utcOffset = 0, app = "AAPS", eventType = "Site Change", identifier = "cannula-1" });
        Assert.Equal("cannula-1", created.GetProperty("identifier").GetString());
        async Task<bool> CannulaFound() =>
            (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/properties/cage", MultiSiteApi.Sha1(secret)))).Body
                .GetProperty("cage").GetProperty("found").GetBoolean();

        Assert.True(await CannulaFound());
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Delete, "/treatments/cannula-1")).Status);
        Assert.False(await CannulaFound());
    }

    [Fact]
    public async Task HistoryWithoutAPathNeedsTheLastModifiedHeader()
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        var (status, error, _) = await client.SendAsync(HttpMethod.Get, "/entries/history");
        Assert.Equal(400, status);
        Assert.Equal("Bad or missing Last-Modified header/parameter", error.GetProperty("message").GetString());
        await client.SendAsync(HttpMethod.Post, "/entries", new { date = Now, utcOffset = 0, app = "xDrip", type = "sgv", sgv = 99 });
        var (withHeader, history, _) = await client.SendAsync(HttpMethod.Get, "/entries/history",
            configure: r =>
            {
                // HttpClient treats Last-Modified as a content header.
                r.Content = new StringContent("");
                r.Content.Headers.LastModified = DateTimeOffset.UtcNow.AddMinutes(-5);
            });
        Assert.Equal(200, withHeader);
        Assert.Equal(1, history.GetProperty("result").GetArrayLength());

        // A client that keeps srvModified sends it in epoch milliseconds.
        var srvModified = history.GetProperty("result")[0].GetProperty("srvModified").GetInt64();
        foreach (var (since, expected) in new[] { (srvModified, 1), (srvModified + 1, 0) })
        {
            var (msStatus, msHistory, _) = await client.SendAsync(HttpMethod.Get, "/entries/history", configure: r =>
            {
                r.Content = new StringContent("");
                r.Content.Headers.TryAddWithoutValidation("Last-Modified", since.ToString(System.Globalization.CultureInfo.InvariantCulture));
            });
            Assert.Equal(200, msStatus);
            Assert.Equal(expected, msHistory.GetProperty("result").GetArrayLength());
        }
    }
}
