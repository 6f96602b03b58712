using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Push;

/// <summary>
/// A site nobody follows builds and sends no <c>dataUpdate</c> per upload; a follower who arrives
/// later still receives every change committed after it connected.
/// </summary>
public sealed class DataUpdateFollowTests : IClassFixture<MultiSiteApi>
{
    private readonly MultiSiteApi _host;
    private readonly SiteApi _api;

    public DataUpdateFollowTests(MultiSiteApi host)
    {
        _host = host;
        _api = new SiteApi(host.Client);
    }

    [Fact]
    public async Task AFollowerWhoArrivesAfterUploadsNobodyFollowedReceivesTheNextOne()
    {
        var (site, secret) = await _api.CreateSiteAsync("unfollowed");
        var token = await _api.TokenAsync(site, secret, "readable");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Uploads with nobody following: the push grain answers "nobody" and the writer stops publishing.
        await _api.PostEntryAsync(site, secret, 101, now - 600_000);
        await _api.PostEntryAsync(site, secret, 102, now - 300_000);

        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, token);
        await _api.PostEntryAsync(site, secret, 103, now);
        var update = await follower.NextAsync("dataUpdate", p => HubFollower.HasSgv(p, 103));
        Assert.True(update.GetProperty("delta").GetBoolean());
        Assert.Equal(now, update.GetProperty("sgvs").EnumerateArray().Single().GetProperty("mills").GetInt64());
    }
}
