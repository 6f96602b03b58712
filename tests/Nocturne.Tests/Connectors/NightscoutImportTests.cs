using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// <c>POST /api/admin/tenants/{id}/import</c> against a second instance of our server as the source
/// Nightscout: every collection copied with its _ids, a repeat adds nothing, only the operator may ask.
/// </summary>
public sealed class NightscoutImportTests(ConnectorHost host) : IClassFixture<ConnectorHost>, IAsyncLifetime
{
    private const string RemoteSecret = "import-source-secret-1";
    private static readonly string[] Collections = ["entries", "treatments", "devicestatus", "profile", "food"];
    private RemoteNightscout _remote = null!;
    private string _remoteUrl = null!;

    public async Task InitializeAsync()
    {
        _remote = await RemoteNightscout.StartAsync("nsimport", RemoteSecret);
        _remoteUrl = _remote.Url;
        await SeedAsync();
    }

    public async Task DisposeAsync() => await _remote.DisposeAsync();

    private Task<JsonElement> RemoteAsync(HttpMethod method, string path, object? body = null) => _remote.SendOkAsync(method, path, body);

    private async Task SeedAsync()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeMilliseconds();
        await RemoteAsync(HttpMethod.Post, "api/v1/entries",
            Enumerable.Range(0, 12).Select(i => (object)new { type = "sgv", sgv = 100 + i, date = start + i * 300_000L, direction = "Flat", device = "xDrip-source" }).ToArray());
        await RemoteAsync(HttpMethod.Post, "api/v1/treatments", new object[]
        {
            new { eventType = "Meal Bolus", insulin = 2.5, carbs = 30, created_at = DateTimeOffset.UtcNow.AddHours(-2).ToString("o"), enteredBy = "source-phone" },
            new { eventType = "Temp Basal", rate = 0.4, duration = 30, created_at = DateTimeOffset.UtcNow.AddHours(-1).ToString("o"), enteredBy = "source-phone" },
        });
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
    }

    private static async Task<Dictionary<string, List<JsonElement>>> DocumentsAsync(Func<string, Task<JsonElement>> get)
    {
        var documents = new Dictionary<string, List<JsonElement>>();
        foreach (var name in Collections)
        {
            documents[name] = (await get(name is "profile" or "food" ? $"api/v1/{name}.json" : $"api/v1/{name}.json?count=1000"))
                .EnumerateArray().ToList();
        }

        return documents;
    }

    private async Task<Dictionary<string, List<JsonElement>>> LocalAsync(string site, string secret) =>
        await DocumentsAsync(path => host.Api.GetOkAsync(site, secret, "/" + path));

    private Task<(int Status, JsonElement Body)> ImportAsync(string site, object body) =>
        host.Api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/import", body));

    private static void AssertSameDocuments(Dictionary<string, List<JsonElement>> source, Dictionary<string, List<JsonElement>> local)
    {
        foreach (var name in Collections)
        {
            Assert.True(source[name].Count > 0, $"the source has no {name}");
            Assert.Equal(source[name].Select(d => d.GetProperty("_id").GetString()).Order(), local[name].Select(d => d.GetProperty("_id").GetString()).Order());
        }
    }

    [Fact]
    public async Task ImportsEveryCollectionWithItsIdsOverV3AndARepeatAddsNothing()
    {
        var token = await _remote.TokenAsync("admin");
        var (site, secret) = await host.Api.CreateSiteAsync("nsimp");

        var (status, body) = await ImportAsync(site, new { url = _remoteUrl, token });
        Assert.True(status == 200, body.ToString());
        Assert.Equal("v3", body.GetProperty("api").GetString());

        var source = await DocumentsAsync(path => RemoteAsync(HttpMethod.Get, path));
        var local = await LocalAsync(site, secret);
        AssertSameDocuments(source, local);
        foreach (var name in Collections)
        {
            var counts = body.GetProperty("collections").GetProperty(name);
            Assert.Equal(source[name].Count, counts.GetProperty("imported").GetInt32());
            Assert.Equal(source[name].Count, counts.GetProperty("source").GetInt32());
        }

        // Sample documents keep their values as well as their _ids.
        var bolus = local["treatments"].Single(t => t.GetProperty("eventType").GetString() == "Meal Bolus");
        Assert.Equal(2.5, bolus.GetProperty("insulin").GetDouble());
        Assert.Equal(source["treatments"].Single(t => t.GetProperty("eventType").GetString() == "Meal Bolus").GetProperty("_id").GetString(), bolus.GetProperty("_id").GetString());
        Assert.Equal("xDrip-source", local["entries"].First().GetProperty("device").GetString());
        Assert.Equal("Apple", Assert.Single(local["food"]).GetProperty("name").GetString());

        var (again, repeat) = await ImportAsync(site, new { url = _remoteUrl, token });
        Assert.True(again == 200, repeat.ToString());
        foreach (var name in Collections)
        {
            Assert.Equal(0, repeat.GetProperty("collections").GetProperty(name).GetProperty("imported").GetInt32());
        }

        AssertSameDocuments(source, await LocalAsync(site, secret));
    }

    [Fact]
    public async Task ImportsOverV1WithTheApiSecretAndResumesWithoutDuplicates()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("nsimpv1");
        var (status, body) = await ImportAsync(site, new { url = _remoteUrl, apiSecret = RemoteSecret });
        Assert.True(status == 200, body.ToString());
        Assert.Equal("v1", body.GetProperty("api").GetString());
        var source = await DocumentsAsync(path => RemoteAsync(HttpMethod.Get, path));
        AssertSameDocuments(source, await LocalAsync(site, secret));

        // New data at the source: a repeat imports just that.
        await RemoteAsync(HttpMethod.Post, "api/v1/entries", new { type = "sgv", sgv = 222, date = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), device = "xDrip-source" });
        var (again, repeat) = await ImportAsync(site, new { url = _remoteUrl, apiSecret = RemoteSecret });
        Assert.True(again == 200, repeat.ToString());
        Assert.Equal(1, repeat.GetProperty("collections").GetProperty("entries").GetProperty("imported").GetInt32());
        Assert.Equal(0, repeat.GetProperty("collections").GetProperty("treatments").GetProperty("imported").GetInt32());
        source = await DocumentsAsync(path => RemoteAsync(HttpMethod.Get, path));
        AssertSameDocuments(source, await LocalAsync(site, secret));

        // A wrong secret is refused with a clear error.
        var (refused, error) = await ImportAsync(site, new { url = _remoteUrl, apiSecret = "not-the-right-secret" });
        Assert.Equal(422, refused);
        Assert.Equal(422, error.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task OnlyTheOperatorMayImport()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("nsimpauth");
        var body = new { url = _remoteUrl, apiSecret = RemoteSecret };
        var anonymousRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/tenants/{site}/import") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        var siteSecretRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/tenants/{site}/import") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        siteSecretRequest.Headers.Add("api-secret", MultiSiteApi.Sha1(secret));
        var (anonymous, _) = await host.Api.SendAsync(anonymousRequest);
        var (withSiteSecret, _) = await host.Api.SendAsync(siteSecretRequest);
        Assert.Contains(anonymous, new[] { 401, 403 });
        Assert.Contains(withSiteSecret, new[] { 401, 403 });
        Assert.Empty((await LocalAsync(site, secret))["entries"]);

        var (missing, _) = await ImportAsync("no-such-site", body);
        Assert.Equal(404, missing);
        var (noCredential, error) = await ImportAsync(site, new { url = _remoteUrl });
        Assert.Equal(400, noCredential);
        Assert.Contains("apiSecret", error.ToString(), StringComparison.Ordinal);
    }
}
