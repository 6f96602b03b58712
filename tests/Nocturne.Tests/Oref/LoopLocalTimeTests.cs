using System.Globalization;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Oref;

/// <summary>
/// The loop over stored data as a patient abroad in mmol/L sees it: the schedule slot of the
/// profile's local hour (Auckland, not UTC), mmol/L converted for oref, a running temp basal from
/// the treatments, and a temp target that applies until a later one cancels it.
/// </summary>
public sealed class LoopLocalTimeTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private const string Zone = "Pacific/Auckland";

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static int LocalHour() => TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(Zone)).Hour;

    // Every hour its own slot, so the slot used names the hour it was looked up at.
    private static object[] Slots(Func<int, double> value) =>
        Enumerable.Range(0, 24).Select(h => (object)new { time = $"{h:00}:00", value = Math.Round(value(h), 2) }).ToArray();

    private static string Isf(int hour) => (2.0 + (0.1 * hour)).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Target(int hour) => (5.0 + (0.1 * hour)).ToString("0.0", CultureInfo.InvariantCulture);

    private async Task PostAsync(string site, string secret, string path, object body) =>
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, path, body)).Status);

    [Fact]
    public async Task TheLoopUsesLocalSlotsMmolProfilesTheRunningTempAndTempTargets()
    {
        var (site, secret) = await api.CreateSiteAsync("abroad");
        var now = DateTimeOffset.UtcNow;
        await PostAsync(site, secret, "/api/v1/profile", new
        {
            defaultProfile = "Default",
            startDate = Iso(now.AddDays(-10)),
            store = new Dictionary<string, object>
            {
                ["Default"] = new Dictionary<string, object>
                {
                    ["dia"] = 5,
                    ["timezone"] = Zone,
                    ["units"] = "mmol",
                    ["basal"] = Slots(h => 0.8 + (0.05 * h)),
                    ["sens"] = Slots(h => 2.0 + (0.1 * h)),
                    ["carbratio"] = Slots(_ => 10),
                    ["target_low"] = Slots(h => 5.0 + (0.1 * h)),
                    ["target_high"] = Slots(h => 5.0 + (0.1 * h)),
                },
            },
        });
        var entries = Enumerable.Range(0, 36).Select(i => new { type = "sgv", date = now.AddMinutes(-1 - (5 * i)).ToUnixTimeMilliseconds(), sgv = 110 + i, device = "cgm", direction = "Flat" }).ToArray();
        await PostAsync(site, secret, "/api/v1/entries", entries);
        // A low temp (0.2 U/h against at least 0.8 scheduled) running for the last 40 minutes of 60:
        // insulin the schedule expected is missing, so basal IOB is negative.
        await PostAsync(site, secret, "/api/v1/treatments", new { eventType = "Temp Basal", created_at = Iso(now.AddMinutes(-40)), duration = 60, absolute = 0.2, rate = 0.2 });

        var hourBefore = LocalHour();
        var plain = await api.GetOkAsync(site, secret, "/api/v4/loop/suggestion");
        var hourAfter = LocalHour();
        var suggested = plain.GetProperty("suggested");
        Assert.True(suggested.TryGetProperty("ISF", out var isf), suggested.GetRawText());
        Assert.Contains(isf.ToString(), new[] { Isf(hourBefore), Isf(hourAfter) });
        Assert.Contains(suggested.GetProperty("target_bg").ToString(), new[] { Target(hourBefore), Target(hourAfter) });
        Assert.True(plain.GetProperty("iob").GetProperty("basaliob").GetDouble() < 0, plain.GetProperty("iob").GetRawText());

        // A temp target of 150 mg/dL for an hour, set ten minutes ago, applies (shown in mmol/L).
        await PostAsync(site, secret, "/api/v1/treatments", new { eventType = "Temporary Target", created_at = Iso(now.AddMinutes(-10)), duration = 60, targetTop = 150, targetBottom = 150, reason = "Activity" });
        var targeted = await api.GetOkAsync(site, secret, "/api/v4/loop/suggestion");
        Assert.Equal("8.3", targeted.GetProperty("suggested").GetProperty("target_bg").ToString());

        // A cancelling temp target (duration 0) two minutes ago ends it: the schedule's target again.
        await PostAsync(site, secret, "/api/v1/treatments", new { eventType = "Temporary Target", created_at = Iso(now.AddMinutes(-2)), duration = 0, reason = "Cancel" });
        hourBefore = LocalHour();
        var cancelled = await api.GetOkAsync(site, secret, "/api/v4/loop/suggestion");
        hourAfter = LocalHour();
        Assert.Contains(cancelled.GetProperty("suggested").GetProperty("target_bg").ToString(), new[] { Target(hourBefore), Target(hourAfter) });
    }
}
