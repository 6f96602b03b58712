using System.Globalization;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Oref;

/// <summary>
/// The loop aims where oref0 would: never below 80 or above 200 mg/dL whatever the profile says,
/// and a temp target stored in mmol/L (a careportal entry on an mmol site) is read as mmol/L, not
/// as a target of 5 mg/dL.
/// </summary>
public sealed class LoopTargetBoundsTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task PostAsync(string site, string secret, string path, object body) =>
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, path, body)).Status);

    private async Task<(string Site, string Secret)> SiteWithTargetAsync(string name, double target)
    {
        var (site, secret) = await api.CreateSiteAsync(name);
        var now = DateTimeOffset.UtcNow;
        object[] Flat(double value) => [new { time = "00:00", value }];
        await PostAsync(site, secret, "/api/v1/profile", new
        {
            defaultProfile = "Default",
            startDate = Iso(now.AddDays(-10)),
            store = new Dictionary<string, object>
            {
                ["Default"] = new Dictionary<string, object>
                {
                    ["dia"] = 5,
                    ["timezone"] = "UTC",
                    ["units"] = "mg/dl",
                    ["basal"] = Flat(1.0),
                    ["sens"] = Flat(50),
                    ["carbratio"] = Flat(10),
                    ["target_low"] = Flat(target),
                    ["target_high"] = Flat(target),
                },
            },
        });
        var entries = Enumerable.Range(0, 36).Select(i => new { type = "sgv", date = now.AddMinutes(-1 - (5 * i)).ToUnixTimeMilliseconds(), sgv = 120 + i, device = "cgm", direction = "Flat" }).ToArray();
        await PostAsync(site, secret, "/api/v1/entries", entries);
        return (site, secret);
    }

    private async Task<double> TargetAsync(string site, string secret)
    {
        var suggested = (await api.GetOkAsync(site, secret, "/api/v4/loop/suggestion")).GetProperty("suggested");
        Assert.True(suggested.TryGetProperty("target_bg", out var target), suggested.GetRawText());
        return target.GetDouble();
    }

    [Fact]
    public async Task ProfileTargetsOutsideEightyToTwoHundredAreBounded()
    {
        var (low, lowSecret) = await SiteWithTargetAsync("aimslow", 65);
        Assert.Equal(80, await TargetAsync(low, lowSecret));

        var (high, highSecret) = await SiteWithTargetAsync("aimshigh", 250);
        Assert.Equal(200, await TargetAsync(high, highSecret));
    }

    [Fact]
    public async Task AnMmolTempTargetIsReadAsMmol()
    {
        var (site, secret) = await SiteWithTargetAsync("mmoltarget", 110);
        Assert.Equal(110, await TargetAsync(site, secret));

        await PostAsync(site, secret, "/api/v1/treatments", new { eventType = "Temporary Target", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-5)), duration = 60, targetTop = 8, targetBottom = 8, units = "mmol", reason = "Activity" });
        Assert.Equal(144, await TargetAsync(site, secret));
    }
}
