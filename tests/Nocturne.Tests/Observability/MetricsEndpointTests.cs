using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Observability;

/// <summary>The Prometheus scrape endpoint: operators only, and it shows what the cluster is doing.</summary>
public sealed class MetricsEndpointTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static readonly string[] Instruments =
    [
        "nocturne_documents_uploaded",
        "nocturne_documents_deduplicated",
        "nocturne_requests_rejected",
        "nocturne_sites_live",
        "nocturne_push_followers",
        "http_server_request_duration", // ASP.NET Core
        "db_client_", // Npgsql
        "orleans_", // Orleans
    ];

    [Fact]
    public async Task AnonymousCallersAndSiteAdminsAreRefused()
    {
        var (site, secret) = await api.CreateSiteAsync("metrics");
        Assert.Equal(401, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/metrics"))).Status);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Add("X-Operator-Key", "guess");
        Assert.Equal(401, (await api.SendAsync(wrong)).Status);
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/metrics", MultiSiteApi.Sha1(secret)))).Status);
    }

    [Fact]
    public async Task AfterSomeTrafficTheListedInstrumentsAreExposed()
    {
        var (site, secret) = await api.CreateSiteAsync("metrics");
        var date = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
        var reading = new { type = "sgv", sgv = 120, date };
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[] { reading })).Status);
        // The same reading again is a duplicate.
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[] { reading })).Status);
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", body: new[] { reading }))).Status);
        await using var follower = await Push.HubFollower.ConnectAsync(api.Factory, site, await api.CreateSubjectAsync(site, secret, "watcher", "readable"));

        var text = "";
        // The hub's handshake answers before the server has attached the follower: wait for both.
        var followers = new System.Text.RegularExpressions.Regex(@"nocturne_push_followers(\{[^}]*\})? [1-9]");
        for (var attempt = 0; attempt < 20 && !(Instruments.All(i => text.Contains(i, StringComparison.Ordinal)) && followers.IsMatch(text)); attempt++)
        {
            // The exporter caches a scrape for a moment; a later one includes the newest points.
            await Task.Delay(attempt == 0 ? 0 : 500);
            using var request = MultiSiteApi.OperatorRequest(HttpMethod.Get, "/metrics");
            using var response = await api.Client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
        }

        Assert.All(Instruments, i => Assert.Contains(i, text, StringComparison.Ordinal));
        Assert.Contains("collection=\"entries\"", text, StringComparison.Ordinal);
        Assert.Contains("reason=\"Unauthorized\"", text, StringComparison.Ordinal);
        Assert.True(followers.IsMatch(text),
            string.Join('\n', text.Split('\n').Where(l => l.StartsWith("nocturne_push", StringComparison.Ordinal))));
        // Series are never per site, and no credential ever appears.
        Assert.DoesNotContain(site, text, StringComparison.Ordinal);
        Assert.DoesNotContain(MultiSiteApi.Sha1(secret), text, StringComparison.Ordinal);
    }
}
