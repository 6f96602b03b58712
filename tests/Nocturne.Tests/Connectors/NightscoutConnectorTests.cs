using System.Net.Http.Headers;
using System.Text.Json;
using Nocturne.Grains.Storage;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// The Nightscout source against a second instance of our own server (single-site, its own
/// database, Kestrel on loopback): v3 history with an access token, deletions, v1 with the secret.
/// </summary>
public sealed class NightscoutConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>, IAsyncLifetime
{
    private const string RemoteSecret = "remote-api-secret-123";
    private NocturneApiFactory _remote = null!;
    private HttpClient _remoteClient = null!;
    private string _remoteUrl = null!;

    public async Task InitializeAsync()
    {
        var database = await TestServices.CreateEmptyDatabaseAsync("nsremote");
        await new SchemaMigrator(database).MigrateAsync();
        var port = FreePorts.Next();
        _remote = new NocturneApiFactory(database, new Dictionary<string, string?>
        {
            ["API_SECRET"] = RemoteSecret,
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AUTH_FAIL_DELAY"] = "0",
        });
        _remote.UseKestrel();
        _remote.StartServer();
        _remoteUrl = $"http://127.0.0.1:{port}/";
        _remoteClient = new HttpClient { BaseAddress = new Uri(_remoteUrl) };
        // The default site is created by a hosted service as the server starts.
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await _remoteClient.GetAsync("api/v1/status.json")).IsSuccessStatusCode));
    }

    public async Task DisposeAsync()
    {
        _remoteClient.Dispose();
        await _remote.DisposeAsync();
    }

    private async Task<JsonElement> RemoteAsync(HttpMethod method, string path, object? body = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer is null)
        {
            request.Headers.Add("api-secret", MultiSiteApi.Sha1(RemoteSecret));
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        using var response = await _remoteClient.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> RemoteTokenAsync(string role)
    {
        var subject = await RemoteAsync(HttpMethod.Post, "api/v2/authorization/subjects", new { name = $"puller-{Guid.NewGuid():N}"[..16], roles = new[] { role } });
        return subject.GetProperty("accessToken").GetString()!;
    }

    private static object[] Readings(long start, int count, int sgv0) =>
        Enumerable.Range(0, count).Select(i => (object)new { type = "sgv", sgv = sgv0 + i, date = start + i * 300_000L, direction = "Flat", device = "xDrip-remote" }).ToArray();

    [Fact]
    public async Task SyncsFromAnotherNightscoutWithV3HistoryIdentifiersAndDeletions()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds();
        await RemoteAsync(HttpMethod.Post, "api/v1/entries", Readings(start, 6, 100));
        await RemoteAsync(HttpMethod.Post, "api/v1/treatments", new { eventType = "Meal Bolus", insulin = 2.5, carbs = 30, created_at = DateTimeOffset.UtcNow.AddHours(-1).ToString("o"), enteredBy = "remote-phone" });
        var token = await RemoteTokenAsync("admin");

        var (site, secret) = await host.Api.CreateSiteAsync("nsync");
        var (status, body) = await host.ConfigureAsync(site, secret, "nightscout", new { url = _remoteUrl, token, intervalSeconds = 3600 });
        Assert.True(status == 200, body.ToString());
        var synced = await host.SyncAsync(site, secret, "nightscout");
        Assert.True(synced.GetProperty("health").GetString() == "healthy", synced.ToString());

        var remoteEntries = (await RemoteAsync(HttpMethod.Get, "api/v1/entries.json?count=100")).EnumerateArray().ToList();
        var localEntries = await host.EntriesAsync(site, secret);
        Assert.Equal(6, localEntries.Count);
        // Same _ids and values as the remote.
        Assert.Equal(remoteEntries.Select(e => e.GetProperty("_id").GetString()).Order(), localEntries.Select(e => e.GetProperty("_id").GetString()).Order());
        Assert.All(localEntries, e => Assert.Equal("xDrip-remote", e.GetProperty("device").GetString()));
        var treatments = (await host.Api.GetOkAsync(site, secret, "/api/v1/treatments.json")).EnumerateArray().ToList();
        Assert.Equal(2.5, Assert.Single(treatments).GetProperty("insulin").GetDouble());

        // A deletion on the remote becomes a soft deletion here; an edit replaces the document; nothing duplicates.
        var jwt = (await RemoteAsync(HttpMethod.Get, $"api/v2/authorization/request/{token}")).GetProperty("token").GetString()!;
        var history = (await RemoteAsync(HttpMethod.Get, "api/v3/entries/history/0", bearer: jwt)).GetProperty("result").EnumerateArray().ToList();
        var deleted = history.First(e => e.GetProperty("sgv").GetInt32() == 100).GetProperty("identifier").GetString()!;
        await RemoteAsync(HttpMethod.Delete, $"api/v3/entries/{deleted}", bearer: jwt);
        await RemoteAsync(HttpMethod.Post, "api/v1/entries", Readings(start + 6 * 300_000L, 2, 200));
        var again = await host.SyncAsync(site, secret, "nightscout");
        Assert.True(again.GetProperty("health").GetString() == "healthy", again.ToString());

        localEntries = await host.EntriesAsync(site, secret);
        Assert.Equal(7, localEntries.Count);
        Assert.DoesNotContain(localEntries, e => e.GetProperty("sgv").GetInt32() == 100);
        Assert.Contains(localEntries, e => e.GetProperty("sgv").GetInt32() == 201);

        // A full re-sync of everything changes the count of nothing.
        await host.SyncAsync(site, secret, "nightscout", full: true);
        Assert.Equal(7, (await host.EntriesAsync(site, secret)).Count);
        Assert.Single((await host.Api.GetOkAsync(site, secret, "/api/v1/treatments.json")).EnumerateArray());
        Assert.True(synced.GetProperty("cursors").TryGetProperty("v3:entries", out _));
    }

    [Fact]
    public async Task FallsBackToV1WithTheApiSecret()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        await RemoteAsync(HttpMethod.Post, "api/v1/entries", Readings(start, 4, 300));
        var (site, secret) = await host.Api.CreateSiteAsync("nsv1");
        var (status, body) = await host.ConfigureAsync(site, secret, "nightscout", new { url = _remoteUrl, password = RemoteSecret, intervalSeconds = 3600 });
        Assert.True(status == 200, body.ToString());
        var synced = await host.SyncAsync(site, secret, "nightscout");
        Assert.True(synced.GetProperty("health").GetString() == "healthy", synced.ToString());
        Assert.Equal(4, (await host.EntriesAsync(site, secret)).Count(e => e.GetProperty("sgv").GetInt32() >= 300));
        await host.SyncAsync(site, secret, "nightscout");
        Assert.Equal(4, (await host.EntriesAsync(site, secret)).Count(e => e.GetProperty("sgv").GetInt32() >= 300));

        // A wrong secret pauses the connector.
        await host.ConfigureAsync(site, secret, "nightscout", new { url = _remoteUrl, password = "not-the-secret-at-all", intervalSeconds = 3600 });
        var refused = await host.SyncAsync(site, secret, "nightscout");
        Assert.True(refused.GetProperty("health").GetString() == "paused", refused.ToString());
    }
}
