using System.Net;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V1;

/// <summary>
/// The reads a follower app repeats every five minutes: served from the patient grain's 24-hour
/// window when it can, from PostgreSQL when the request reaches beyond it, and answered 304 only
/// when the client's copy is really current.
/// </summary>
public sealed class ReadingsWindowTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static object Sgv(DateTimeOffset at, int sgv) => new { type = "sgv", date = at.ToUnixTimeMilliseconds(), sgv, device = "cgm" };

    [Fact]
    public async Task ACountBeyondTheDayReachesOlderReadings()
    {
        var (site, secret) = await api.CreateSiteAsync("window");
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[]
        {
            Sgv(now.AddMinutes(-1), 105), Sgv(now.AddMinutes(-6), 104), Sgv(now.AddMinutes(-11), 103),
            Sgv(now.AddHours(-25), 102), Sgv(now.AddHours(-30), 101),
        })).Status);

        var (_, five) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=5");
        Assert.Equal([105, 104, 103, 102, 101], five.EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()));
        var (_, four) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=4");
        Assert.Equal([105, 104, 103, 102], four.EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()));
        var (_, two) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=2");
        Assert.Equal([105, 104], two.EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()));
    }

    [Fact]
    public async Task IfModifiedSinceGives304OnlyWhenNothingNewerExists()
    {
        var (site, secret) = await api.CreateSiteAsync("ims");
        var now = DateTimeOffset.UtcNow;
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[] { Sgv(now.AddMinutes(-6), 100) });

        using var first = await api.Client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json", MultiSiteApi.Sha1(secret)));
        var lastModified = first.Content.Headers.LastModified!.Value;

        async Task<HttpStatusCode> SinceAsync(DateTimeOffset since)
        {
            using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json", MultiSiteApi.Sha1(secret));
            request.Headers.IfModifiedSince = since;
            using var response = await api.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await SinceAsync(lastModified.AddMinutes(-1)));
        Assert.Equal(HttpStatusCode.NotModified, await SinceAsync(lastModified));
        Assert.Equal(HttpStatusCode.NotModified, await SinceAsync(lastModified.AddMinutes(1)));

        // A new reading makes the client's copy stale.
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[] { Sgv(now.AddMinutes(-1), 110) });
        Assert.Equal(HttpStatusCode.OK, await SinceAsync(lastModified));
    }
}
