using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V2;

/// <summary>
/// A loop's device status speaks for the insulin on board only while it is fresh (10 minutes):
/// a status the phone uploaded a quarter of an hour ago is not shown as the current IOB.
/// </summary>
public sealed class DeviceStatusFreshnessTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    [Fact]
    public async Task ALoopStatusOlderThanTenMinutesIsNotTheCurrentIob()
    {
        var (site, secret) = await api.CreateSiteAsync("fresh");
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus",
            new { device = "openaps://rig", created_at = now.AddMinutes(-15).ToString("o"), openaps = new { iob = new { iob = 3.5, timestamp = now.AddMinutes(-15).ToString("o") } } })).Status);

        var stale = await api.GetOkAsync(site, secret, "/api/v2/properties/iob");
        Assert.False(stale.TryGetProperty("iob", out var staleIob) && staleIob.GetProperty("source").GetString() == "OpenAPS",
            $"a 15-minute-old loop status was shown as current: {stale}");

        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus",
            new { device = "openaps://rig", created_at = now.AddMinutes(-4).ToString("o"), openaps = new { iob = new { iob = 1.25, timestamp = now.AddMinutes(-4).ToString("o") } } })).Status);

        var fresh = (await api.GetOkAsync(site, secret, "/api/v2/properties/iob")).GetProperty("iob");
        Assert.Equal("OpenAPS", fresh.GetProperty("source").GetString());
        Assert.Equal(1.25, fresh.GetProperty("iob").GetDouble());
    }
}
