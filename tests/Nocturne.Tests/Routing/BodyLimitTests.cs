using System.Net;
using System.Text;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Routing;

/// <summary>
/// Body limits on the real server (Kestrel, not the in-memory test server): the documented 50 MB
/// for entries, treatments and activity must be reachable, 1 MB elsewhere.
/// </summary>
public sealed class BodyLimitTests : IAsyncLifetime
{
    private NocturneApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var settings = MultiSiteApi.Settings();
        settings["urls"] = "http://127.0.0.1:0";
        _factory = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), settings);
        _factory.UseKestrel(0);
        _factory.StartServer();
        _client = _factory.CreateClient();
        _client.Timeout = TimeSpan.FromMinutes(2);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<HttpStatusCode> PostAsync(string site, string secret, string path, int bytes)
    {
        // A valid JSON array padded with whitespace: costs nothing to store, everything to transfer.
        var body = "[" + new string(' ', bytes - 2) + "]";
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, path, MultiSiteApi.Sha1(secret));
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        // As uploaders of large bodies do: the server can refuse before the body is sent.
        request.Headers.ExpectContinue = true;
        using var response = await _client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task LargeUploadsReachTheirRouteLimits()
    {
        var site = $"limits-{Guid.NewGuid():N}"[..20];
        var secret = $"secret-of-{site}";
        using (var create = MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id = site, displayName = site, apiSecret = secret }))
        using (var created = await _client.SendAsync(create))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Above Kestrel's 30 MB default, below the reference's 50 MB.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(site, secret, "/api/v1/entries", 35 * 1024 * 1024));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(site, secret, "/api/v1/treatments", 35 * 1024 * 1024));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(site, secret, "/api/v1/entries", (50 * 1024 * 1024) + 10));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(site, secret, "/api/v1/food", 2 * 1024 * 1024));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(site, secret, "/api/v2/authorization/roles", 2 * 1024 * 1024));

        // HEAD on the real server: framed as a HEAD answer, so the connection stays usable.
        for (var i = 0; i < 2; i++)
        {
            using var head = MultiSiteApi.SiteRequest(site, HttpMethod.Head, "/api/v1/status.json", MultiSiteApi.Sha1(secret));
            using var answer = await _client.SendAsync(head);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Empty(await answer.Content.ReadAsByteArrayAsync());
        }
    }
}
