using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Import;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// <c>POST /api/admin/tenants/{id}/import</c> against a second instance of our server as the source
/// Nightscout (the host reads 10 documents per request, so every collection takes several pages):
/// every document copied whole with its _id, in the background with progress and a final count per
/// collection against the source's; an import cut off part-way resumes from its cursor with no
/// duplicate and no gap; only the operator may ask.
/// </summary>
public sealed class NightscoutImportTests(ConnectorHost host) : IClassFixture<ConnectorHost>, IAsyncLifetime
{
    private const string RemoteSecret = "import-source-secret-1";
    private const int Entries = 35;
    private const int Treatments = 13;
    private static readonly string[] Collections = ["entries", "treatments", "devicestatus", "profile", "food", "activity"];

    // Assigned by the server that stores a document.
    private static readonly string[] ServerFields = ["srvModified", "srvCreated"];
    private RemoteNightscout _remote = null!;

    public async Task InitializeAsync()
    {
        _remote = await RemoteNightscout.StartAsync("nsimport", RemoteSecret);
        await SeedAsync();
    }

    public async Task DisposeAsync() => await _remote.DisposeAsync();

    private Task<JsonElement> RemoteAsync(HttpMethod method, string path, object? body = null) => _remote.SendOkAsync(method, path, body);

    private async Task SeedAsync()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-4).ToUnixTimeMilliseconds();
        await RemoteAsync(HttpMethod.Post, "api/v1/entries",
            Enumerable.Range(0, Entries).Select(i => (object)new { type = "sgv", sgv = 100 + i, date = start + i * 300_000L, direction = "Flat", device = "xDrip-source", noise = 1 }).ToArray());
        // A meter reading at the same time as a sensor reading: one time, two documents.
        await RemoteAsync(HttpMethod.Post, "api/v1/entries", new { type = "mbg", mbg = 111, date = start + 300_000L, device = "meter" });
        await RemoteAsync(HttpMethod.Post, "api/v1/treatments", Enumerable.Range(0, Treatments).Select(i => (object)new
        {
            eventType = i % 2 == 0 ? "Meal Bolus" : "Temp Basal",
            insulin = i % 2 == 0 ? 2.5 + i : (double?)null,
            carbs = i % 2 == 0 ? 30 + i : (int?)null,
            rate = i % 2 == 0 ? (double?)null : 0.4,
            duration = i % 2 == 0 ? (int?)null : 30,
            created_at = DateTimeOffset.UtcNow.AddMinutes(-200 + (i * 10)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            enteredBy = "source-phone",
        }).ToArray());
        await RemoteAsync(HttpMethod.Post, "api/v1/devicestatus", new { device = "openaps://rig", created_at = DateTimeOffset.UtcNow.AddMinutes(-10).ToString("o"), uploaderBattery = 77 });
        await RemoteAsync(HttpMethod.Post, "api/v1/profile", new
        {
            defaultProfile = "Default",
            startDate = DateTimeOffset.UtcNow.AddDays(-1).ToString("o"),
            created_at = DateTimeOffset.UtcNow.AddDays(-1).ToString("o"),
            units = "mg/dl",
            store = new { Default = new { dia = 5, carbratio = new[] { new { time = "00:00", value = 10 } }, sens = new[] { new { time = "00:00", value = 40 } }, basal = new[] { new { time = "00:00", value = 0.8 } }, target_low = new[] { new { time = "00:00", value = 100 } }, target_high = new[] { new { time = "00:00", value = 120 } }, timezone = "UTC", units = "mg/dl" } },
        });
        await RemoteAsync(HttpMethod.Post, "api/v1/food", new { type = "food", name = "Apple", category = "Fruit", carbs = 14, portion = 1, unit = "pcs" });
        await RemoteAsync(HttpMethod.Post, "api/v1/activity", new { created_at = DateTimeOffset.UtcNow.AddHours(-1).ToString("o"), steps = 1200, heartRate = 80 });
    }

    private static async Task<Dictionary<string, List<JsonObject>>> DocumentsAsync(Func<string, Task<JsonElement>> get)
    {
        var documents = new Dictionary<string, List<JsonObject>>();
        foreach (var name in Collections)
        {
            documents[name] = (await get(name is "profile" or "food" ? $"api/v1/{name}.json" : $"api/v1/{name}.json?count=1000"))
                .EnumerateArray().Select(d => JsonNode.Parse(d.GetRawText())!.AsObject()).ToList();
        }

        return documents;
    }

    private async Task<Dictionary<string, List<JsonObject>>> LocalAsync(string site, string secret) =>
        await DocumentsAsync(path => host.Api.GetOkAsync(site, secret, "/" + path));

    private Task<JsonElement> ImportAsync(string site, object body) => SiteImports.RunAsync(host.Api, site, "import", body);

    /// <summary>The same documents, field by field (times included), under the same _ids, each once.</summary>
    private static void AssertSameDocuments(Dictionary<string, List<JsonObject>> source, Dictionary<string, List<JsonObject>> local)
    {
        foreach (var name in Collections)
        {
            Assert.True(source[name].Count > 0, $"the source has no {name}");
            var ids = local[name].Select(d => (string?)d["_id"]).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Equal(source[name].Select(d => (string?)d["_id"]).Order(), ids.Order());
            foreach (var document in source[name])
            {
                var copy = local[name].Single(d => (string?)d["_id"] == (string?)document["_id"]);
                Assert.True(JsonNode.DeepEquals(Comparable(document), Comparable(copy)), $"{name}: {document.ToJsonString()} became {copy.ToJsonString()}");
            }
        }
    }

    private static JsonObject Comparable(JsonObject document)
    {
        var copy = document.DeepClone().AsObject();
        foreach (var field in ServerFields)
        {
            copy.Remove(field);
        }

        return copy;
    }

    private static void AssertCountsMatch(JsonElement progress, Dictionary<string, List<JsonObject>> source)
    {
        Assert.True(progress.GetProperty("state").GetString() == ImportState.Finished, progress.ToString());
        Assert.Equal("every document accounted for", progress.GetProperty("message").GetString());
        foreach (var name in Collections)
        {
            var collection = SiteImports.CollectionOf(progress, name);
            Assert.True(collection.GetProperty("done").GetBoolean(), collection.ToString());
            Assert.Equal(source[name].Count, collection.GetProperty("sourceCount").GetInt64());
            Assert.Equal(source[name].Count, collection.GetProperty("stored").GetInt64());
        }
    }

    [Fact]
    public async Task ImportsEveryDocumentOverV3HistoryInTheBackgroundAndARepeatAddsNothing()
    {
        var token = await _remote.TokenAsync("admin");
        var (site, secret) = await host.Api.CreateSiteAsync("nsimp");

        var progress = await ImportAsync(site, new { url = _remote.Url, token });
        Assert.StartsWith("nightscout v3 ", progress.GetProperty("source").GetString(), StringComparison.Ordinal);
        var source = await DocumentsAsync(path => RemoteAsync(HttpMethod.Get, path));
        Assert.Equal(Entries + 1, source["entries"].Count);
        AssertCountsMatch(progress, source);
        AssertSameDocuments(source, await LocalAsync(site, secret));
        Assert.Equal(Entries + 1, SiteImports.CollectionOf(progress, "entries").GetProperty("imported").GetInt64());

        // New data at the source: a repeat reads on from the cursors and takes just that.
        await RemoteAsync(HttpMethod.Post, "api/v1/entries", new { type = "sgv", sgv = 222, date = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), device = "xDrip-source" });
        var repeat = await ImportAsync(site, new { url = _remote.Url, token });
        source = await DocumentsAsync(path => RemoteAsync(HttpMethod.Get, path));
        AssertCountsMatch(repeat, source);
        Assert.Equal(Entries + 2, SiteImports.CollectionOf(repeat, "entries").GetProperty("imported").GetInt64());
        Assert.Equal(Treatments, SiteImports.CollectionOf(repeat, "treatments").GetProperty("imported").GetInt64());
        AssertSameDocuments(source, await LocalAsync(site, secret));
    }

    [Fact]
    public async Task ImportsEveryDocumentOverV1WithTheApiSecretAndARepeatTakesOnlyWhatIsNew()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("nsimpv1");
        var progress = await ImportAsync(site, new { url = _remote.Url, apiSecret = RemoteSecret });
        Assert.StartsWith("nightscout v1 ", progress.GetProperty("source").GetString(), StringComparison.Ordinal);
        var source = await DocumentsAsync(path => RemoteAsync(HttpMethod.Get, path));
        AssertCountsMatch(progress, source);
        AssertSameDocuments(source, await LocalAsync(site, secret));

        await RemoteAsync(HttpMethod.Post, "api/v1/entries", new { type = "sgv", sgv = 222, date = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), device = "xDrip-source" });
        var repeat = await ImportAsync(site, new { url = _remote.Url, apiSecret = RemoteSecret });
        source = await DocumentsAsync(path => RemoteAsync(HttpMethod.Get, path));
        AssertCountsMatch(repeat, source);
        Assert.Equal(Entries + 2, SiteImports.CollectionOf(repeat, "entries").GetProperty("imported").GetInt64());
        AssertSameDocuments(source, await LocalAsync(site, secret));

        // A wrong secret is refused at once with a clear error.
        var (refused, error) = await host.Api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/import", new { url = _remote.Url, apiSecret = "not-the-right-secret" }));
        Assert.Equal(422, refused);
        Assert.Equal(422, error.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("v1")]
    public async Task AnImportCutOffPartWayResumesFromItsCursorWithoutDuplicatesOrGaps(string api)
    {
        await using var line = new NightscoutProxy(new Uri(_remote.Url));
        await line.StartAsync();
        object body = api == "v3" ? new { url = line.BaseUrl.ToString(), token = await _remote.TokenAsync("admin") } : new { url = line.BaseUrl.ToString(), apiSecret = RemoteSecret };
        var (site, secret) = await host.Api.CreateSiteAsync("nsresume");

        // Entries come last; the line drops after two pages of them.
        var entryPages = api == "v3" ? "/api/v3/entries/history" : "/api/v1/entries.json";
        (line.FailPath, line.FailAfter) = (entryPages, 2);
        var cut = await ImportAsync(site, body);
        Assert.True(cut.GetProperty("state").GetString() == ImportState.Failed, cut.ToString());
        var partial = SiteImports.CollectionOf(cut, "entries");
        // Two pages of ten (over v1 the second repeats the first one's edge, which is dropped).
        var importedBefore = partial.GetProperty("imported").GetInt64();
        Assert.InRange(importedBefore, 19, 20);
        Assert.False(partial.GetProperty("done").GetBoolean());
        Assert.Equal(importedBefore, (await LocalAsync(site, secret))["entries"].Count);

        line.Restore();
        var before = line.Forwarded(entryPages);
        var resumed = await ImportAsync(site, body);
        var source = await DocumentsAsync(path => RemoteAsync(HttpMethod.Get, path));
        AssertCountsMatch(resumed, source);
        AssertSameDocuments(source, await LocalAsync(site, secret));
        var entries = SiteImports.CollectionOf(resumed, "entries");
        Assert.Equal(Entries + 1, entries.GetProperty("imported").GetInt64());
        // From the cursor on: the two remaining pages, not the whole collection again.
        Assert.InRange(line.Forwarded(entryPages) - before, 2, 3);
        Assert.InRange(entries.GetProperty("read").GetInt64(), Entries + 1, Entries + 4);
    }

    [Fact]
    public async Task OnlyTheOperatorMayImport()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("nsimpauth");
        var body = new { url = _remote.Url, apiSecret = RemoteSecret };
        var anonymousRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/tenants/{site}/import") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        var siteSecretRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/tenants/{site}/import") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        siteSecretRequest.Headers.Add("api-secret", MultiSiteApi.Sha1(secret));
        var (anonymous, _) = await host.Api.SendAsync(anonymousRequest);
        var (withSiteSecret, _) = await host.Api.SendAsync(siteSecretRequest);
        Assert.Contains(anonymous, new[] { 401, 403 });
        Assert.Contains(withSiteSecret, new[] { 401, 403 });
        Assert.Empty((await LocalAsync(site, secret))["entries"]);

        var (missing, _) = await host.Api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants/no-such-site/import", body));
        Assert.Equal(404, missing);
        var (noCredential, error) = await host.Api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/import", new { url = _remote.Url }));
        Assert.Equal(400, noCredential);
        Assert.Contains("apiSecret", error.ToString(), StringComparison.Ordinal);
    }
}
