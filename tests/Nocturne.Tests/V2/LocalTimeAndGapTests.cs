using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V2;

/// <summary>
/// Properties that depend on where and when the patient is: the scheduled basal at the profile's
/// local time (not the server's UTC hour), and a delta across a missed reading scaled to five minutes.
/// </summary>
public sealed class LocalTimeAndGapTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    [Fact]
    public async Task TheBasalPropertyUsesTheProfilesLocalTime()
    {
        // Auckland is 12 or 13 hours from UTC: a UTC lookup lands on another slot.
        const string zone = "Pacific/Auckland";
        var (site, secret) = await api.CreateSiteAsync("basal");
        var slots = Enumerable.Range(0, 24).Select(h => new { time = $"{h:00}:00", value = 0.1 * (h + 1) }).ToArray();
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/profile", new
        {
            defaultProfile = "Default",
            startDate = DateTimeOffset.UtcNow.AddDays(-10).ToString("o"),
            store = new Dictionary<string, object> { ["Default"] = new { timezone = zone, units = "mmol", basal = slots } },
        })).Status);

        var before = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(zone)).Hour;
        var p = await api.GetOkAsync(site, secret, "/api/v2/properties/basal");
        var after = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(zone)).Hour;
        var basal = p.GetProperty("basal").GetProperty("current").GetProperty("basal").GetDouble();
        // The hour may turn during the call; either side of it is right, the UTC hour is not.
        Assert.Contains(Math.Round(basal, 1), new[] { Math.Round(0.1 * (before + 1), 1), Math.Round(0.1 * (after + 1), 1) });
    }

    [Fact]
    public async Task ADeltaAcrossAMissedReadingIsPerFiveMinutes()
    {
        var (site, secret) = await api.CreateSiteAsync("gap");
        var now = DateTimeOffset.UtcNow;
        // 100 eleven minutes ago, the reading of six minutes ago missed, 120 one minute ago.
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[]
        {
            new { type = "sgv", date = now.AddMinutes(-11).ToUnixTimeMilliseconds(), sgv = 100, device = "cgm" },
            new { type = "sgv", date = now.AddMinutes(-1).ToUnixTimeMilliseconds(), sgv = 120, device = "cgm" },
        })).Status);

        var delta = (await api.GetOkAsync(site, secret, "/api/v2/properties/delta")).GetProperty("delta");
        Assert.True(delta.GetProperty("interpolated").GetBoolean());
        Assert.Equal(20, delta.GetProperty("absolute").GetDouble());
        Assert.Equal(10, delta.GetProperty("mgdl").GetInt32());
        Assert.Equal("+10", delta.GetProperty("display").GetString());
    }
}
