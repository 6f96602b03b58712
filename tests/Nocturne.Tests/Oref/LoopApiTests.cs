using System.Globalization;
using System.Text.Json;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.OrefInterop;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Oref;

/// <summary>
/// The loop from an HTTP request: /api/v4/loop/suggestion runs determine-basal through the
/// patient grain and the OrefGrain over what the site stored; /api/v2/properties shows the same
/// IOB and COB.
/// </summary>
public sealed class LoopApiTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task PostAsync(string site, string secret, string path, object body) =>
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, path, MultiSiteApi.Sha1(secret), body))).Status);

    // A Berlin profile of 1 U/h all day; maxBasal adds the store's max_basal (U/h).
    private static object ProfileBody(DateTimeOffset now, int startDaysAgo, double? maxBasal = null)
    {
        var store = new Dictionary<string, object>
        {
            ["dia"] = 5,
            ["timezone"] = "Europe/Berlin",
            ["units"] = "mg/dl",
            ["basal"] = new[] { new { time = "00:00", value = 1.0 } },
            ["sens"] = new[] { new { time = "00:00", value = 50 } },
            ["carbratio"] = new[] { new { time = "00:00", value = 10 } },
            ["target_low"] = new[] { new { time = "00:00", value = 100 } },
            ["target_high"] = new[] { new { time = "00:00", value = 110 } },
        };
        if (maxBasal is { } max)
        {
            store["max_basal"] = max;
        }

        return new { defaultProfile = "Default", startDate = Iso(now.AddDays(-startDaysAgo)), store = new Dictionary<string, object> { ["Default"] = store } };
    }

    private async Task<(string Site, string Secret, DateTimeOffset Now)> SiteAsync(Func<int, double> bgMinutesAgo, params object[] treatments)
    {
        var (site, secret) = await api.CreateSiteAsync("loop");
        var now = DateTimeOffset.UtcNow;
        await PostAsync(site, secret, "/api/v1/profile", ProfileBody(now, startDaysAgo: 10));
        // Three hours of readings every five minutes, newest one minute ago.
        var entries = Enumerable.Range(0, 36).Select(i => new
        {
            type = "sgv",
            date = now.AddMinutes(-1 - (5 * i)).ToUnixTimeMilliseconds(),
            sgv = Math.Round(bgMinutesAgo(1 + (5 * i))),
            device = "xDrip-DexcomG6",
            direction = "Flat",
        }).ToArray();
        await PostAsync(site, secret, "/api/v1/entries", entries);
        if (treatments.Length > 0)
        {
            await PostAsync(site, secret, "/api/v1/treatments", treatments);
        }

        return (site, secret, now);
    }

    [Fact]
    public async Task AFallingBgWithInsulinOnBoardGetsAZeroTemp()
    {
        // 3 U an hour ago, BG falling 4 mg/dL every 5 minutes to 80.
        var (site, secret, now) = await SiteAsync(ago => 80 + (ago * 0.8),
            new { eventType = "Correction Bolus", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-60)), insulin = 3.0 });

        var body = await api.GetOkAsync(site, secret, "/api/v4/loop/suggestion");
        var suggested = body.GetProperty("suggested");
        Assert.Equal(0, suggested.GetProperty("rate").GetDouble());
        Assert.True(suggested.GetProperty("duration").GetDouble() >= 30);
        Assert.Contains("minGuardBG", suggested.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(suggested.GetProperty("eventualBG").GetDouble() < 80);
        // oref0 trims a zero-temp prediction that keeps rising above target, but never below 7 points.
        Assert.True(suggested.GetProperty("predBGs").GetProperty("ZT").GetArrayLength() > 6);

        // The IOB the loop used is the validated library's IOB of that one bolus.
        var expected = OrefLibrary.CalculateIob(new IobRequest(new InsulinProfile(5, "rapid-acting"), [new InsulinDose(now.AddMinutes(-60).ToUnixTimeMilliseconds(), 3.0)], now.ToUnixTimeMilliseconds()))[0];
        Assert.Equal(expected.Iob, body.GetProperty("iob").GetProperty("iob").GetDouble(), 1);
        Assert.Equal(expected.Iob, suggested.GetProperty("IOB").GetDouble(), 1);

        var properties = await api.GetOkAsync(site, secret, "/api/v2/properties/iob,cob");
        Assert.Equal("Care Portal", properties.GetProperty("iob").GetProperty("source").GetString());
        Assert.Equal(body.GetProperty("iob").GetProperty("iob").GetDouble(), properties.GetProperty("iob").GetProperty("iob").GetDouble(), 1);
        Assert.Equal(0, properties.GetProperty("cob").GetProperty("cob").GetDouble());
    }

    [Fact]
    public async Task CarbsJustEatenShowAsCarbsOnBoardInTheLoopAndInProperties()
    {
        var (site, secret, _) = await SiteAsync(ago => Math.Max(110, 160 - (ago * 1.5)),
            new { eventType = "Meal Bolus", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-30)), carbs = 45, insulin = 2.0 });

        var body = await api.GetOkAsync(site, secret, "/api/v4/loop/suggestion?microBolus=true");
        var cob = body.GetProperty("meal").GetProperty("mealCOB").GetDouble();
        Assert.InRange(cob, 1, 45);
        Assert.Equal(cob, body.GetProperty("suggested").GetProperty("COB").GetDouble());
        Assert.True(body.GetProperty("suggested").GetProperty("predBGs").TryGetProperty("COB", out _));

        var properties = await api.GetOkAsync(site, secret, "/api/v2/properties");
        Assert.Equal(cob, properties.GetProperty("cob").GetProperty("cob").GetDouble(), 0);
        Assert.Equal($"COB: {cob.ToString(CultureInfo.InvariantCulture)}g", properties.GetProperty("cob").GetProperty("displayLine").GetString());
        Assert.True(properties.GetProperty("iob").GetProperty("iob").GetDouble() > 1);
    }

    [Fact]
    public async Task AFreshLoopDeviceStatusSpeaksForIobAndCob()
    {
        var (site, secret, now) = await SiteAsync(_ => 120,
            new { eventType = "Correction Bolus", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-30)), insulin = 1.0 });
        await PostAsync(site, secret, "/api/v1/devicestatus", new
        {
            device = "openaps://rig",
            created_at = Iso(now.AddMinutes(-1)),
            openaps = new { iob = new { iob = 2.5, basaliob = 0.5, activity = 0.02 }, suggested = new Dictionary<string, object> { ["COB"] = 12 } },
        });

        var properties = await api.GetOkAsync(site, secret, "/api/v2/properties/iob,cob");
        Assert.Equal(2.5, properties.GetProperty("iob").GetProperty("iob").GetDouble());
        Assert.Equal("OpenAPS", properties.GetProperty("iob").GetProperty("source").GetString());
        Assert.Equal("IOB: 2.50U", properties.GetProperty("iob").GetProperty("displayLine").GetString());
        Assert.Equal(12, properties.GetProperty("cob").GetProperty("cob").GetDouble());
    }

    [Fact]
    public async Task WithoutAProfileOrWithABadFlagTheLoopSaysWhy()
    {
        var (site, secret) = await api.CreateSiteAsync("loop-empty");
        var (status, body) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v4/loop/suggestion");
        Assert.Equal(422, status);
        Assert.Equal(422, body.GetProperty("status").GetInt32());
        Assert.Contains("profile", body.GetProperty("description").GetString(), StringComparison.Ordinal);

        var (badStatus, bad) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v4/loop/suggestion?microBolus=maybe");
        Assert.Equal(400, badStatus);
        Assert.Contains("microBolus", bad.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProfileWhoseMaxBasalIsBelowTheScheduledBasalIsRefusedWithTheReason()
    {
        var (site, secret, now) = await SiteAsync(_ => 160);
        await PostAsync(site, secret, "/api/v1/profile", ProfileBody(now, startDaysAgo: 1, maxBasal: 0.5));

        var (status, body) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v4/loop/suggestion");
        Assert.Equal(422, status);
        var reason = body.GetProperty("description").GetString();
        Assert.Contains("max_basal 0.5 U/h is below the scheduled basal 1 U/h", reason, StringComparison.Ordinal);

        // A maximum at or above the schedule is used as the pump's limit.
        await PostAsync(site, secret, "/api/v1/profile", ProfileBody(now, startDaysAgo: 0, maxBasal: 1.5));
        var ok = await api.GetOkAsync(site, secret, "/api/v4/loop/suggestion");
        var suggested = ok.GetProperty("suggested");
        Assert.True(!suggested.TryGetProperty("rate", out var rate) || rate.GetDouble() <= 1.5);
    }

    [Fact]
    public async Task AStoredTempBasalOutsidePhysicalRangesGivesTheReasonNotAServerError()
    {
        var (site, secret, _) = await SiteAsync(_ => 120,
            new { eventType = "Temp Basal", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-20)), enteredBy = "openaps://AndroidAPS", duration = 30, absolute = 1e12 });

        var (status, body) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v4/loop/suggestion");
        Assert.Equal(422, status);
        // The running temp and the stored record both carry the rate; the first checked is named.
        Assert.Contains("rate is 1000000000000 U/h, outside 0–50 U/h", body.GetProperty("description").GetString(), StringComparison.Ordinal);

        // /api/v2/properties still answers; oref's iob and cob are left out rather than failing it.
        var properties = await api.GetOkAsync(site, secret, "/api/v2/properties/iob,cob");
        Assert.False(properties.TryGetProperty("iob", out _));
    }
}
