using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// The Nightscout source against a second instance of our own server (single-site, its own
/// database, Kestrel on loopback): v3 history with an access token, deletions, v1 with the secret.
/// </summary>
public sealed class NightscoutConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>, IAsyncLifetime
{
    private const string RemoteSecret = "remote-api-secret-123";
    private RemoteNightscout _remote = null!;
    private string _remoteUrl = null!;

    public async Task InitializeAsync()
    {
        _remote = await RemoteNightscout.StartAsync("nsremote", RemoteSecret);
        _remoteUrl = _remote.Url;
    }

    public async Task DisposeAsync() => await _remote.DisposeAsync();

    private Task<JsonElement> RemoteAsync(HttpMethod method, string path, object? body = null, string? bearer = null) =>
        _remote.SendOkAsync(method, path, body, bearer);

    private Task<string> RemoteTokenAsync(string role) => _remote.TokenAsync(role);

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
