using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Oref;
using Nocturne.Grains.StateSpans;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.StateSpans;

/// <summary>
/// One known day, 2026-03-29 in Europe/Berlin (clocks go forward at 01:00 UTC), checked by hand:
/// what <c>at/{time}</c> says was in force, and the basal series, IOB and COB of <c>chart-data</c>.
/// </summary>
public sealed class KnownDayTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static DateTimeOffset Utc(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, TimeSpan.Zero);

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    private async Task<(string Site, string Secret)> DayAsync()
    {
        var (site, secret) = await api.CreateSiteAsync("day");
        async Task Post(string path, object body) => Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, path, body)).Status);
        // Local schedule 00:00 0.8, 06:00 1.2, 12:00 1.0, 22:00 0.7 U/h. On this day local 00:00 is
        // 23:00Z (CET), 06:00 is 04:00Z (CEST), 12:00 is 10:00Z, 22:00 is 20:00Z.
        await Post("/api/v1/profile", new
        {
            defaultProfile = "Default",
            startDate = StateSpanUploadTests.Iso(Utc(1, 0)),
            store = new Dictionary<string, object>
            {
                ["Default"] = new
                {
                    dia = 5, timezone = "Europe/Berlin", units = "mg/dl",
                    basal = new[] { new { time = "00:00", value = 0.8 }, new { time = "06:00", value = 1.2 }, new { time = "12:00", value = 1.0 }, new { time = "22:00", value = 0.7 } },
                    sens = new[] { new { time = "00:00", value = 50 } },
                    carbratio = new[] { new { time = "00:00", value = 10 } },
                    target_low = new[] { new { time = "00:00", value = 100 } },
                    target_high = new[] { new { time = "00:00", value = 110 } },
                },
            },
        });
        await Post("/api/v1/treatments", new object[]
        {
            new { eventType = "Profile Switch", created_at = StateSpanUploadTests.Iso(Utc(29, 7)), profile = "Default", percentage = 150, timeshift = 0, duration = 60, enteredBy = "AndroidAPS" },
            new { eventType = "Temp Basal", created_at = StateSpanUploadTests.Iso(Utc(29, 7, 30)), absolute = 0.5, rate = 0.5, duration = 30, enteredBy = "AndroidAPS" },
            new { eventType = "Temporary Target", created_at = StateSpanUploadTests.Iso(Utc(29, 7, 40)), targetBottom = 80, targetTop = 80, duration = 60, reason = "Eating Soon", units = "mg/dl", enteredBy = "AndroidAPS" },
            new { eventType = "Meal Bolus", created_at = StateSpanUploadTests.Iso(Utc(29, 9)), insulin = 2.0, carbs = 30, enteredBy = "AndroidAPS" },
            new { eventType = "Temp Basal", created_at = StateSpanUploadTests.Iso(Utc(29, 12)), percent = -50, duration = 60, enteredBy = "AndroidAPS" },
            new { eventType = "Temp Basal", created_at = StateSpanUploadTests.Iso(Utc(29, 12, 30)), duration = 0, enteredBy = "AndroidAPS" },
            new { eventType = "Suspend Pump", created_at = StateSpanUploadTests.Iso(Utc(29, 15)), enteredBy = "AndroidAPS" },
            new { eventType = "Resume Pump", created_at = StateSpanUploadTests.Iso(Utc(29, 15, 45)), enteredBy = "AndroidAPS" },
            new { eventType = "Profile Switch", created_at = StateSpanUploadTests.Iso(Utc(29, 18)), profile = "Default", percentage = 100, timeshift = 2, duration = 0, enteredBy = "AndroidAPS" },
        });
        await Post("/api/v1/devicestatus", new
        {
            device = "openaps://phone", created_at = StateSpanUploadTests.Iso(Utc(29, 7, 35)),
            openaps = new { enacted = new { rate = 0.5, duration = 30, received = true } },
            pump = new { clock = StateSpanUploadTests.Iso(Utc(29, 7, 35)), status = new { status = "normal" } },
        });
        var readings = Enumerable.Range(0, 23 * 12).Select(i => new { type = "sgv", sgv = 120, date = Ms(Utc(28, 23).AddMinutes(5 * i)), direction = "Flat", device = "xDrip" }).ToArray();
        await Post("/api/v1/entries", readings);
        return (site, secret);
    }

    [Fact]
    public async Task AtATimeSaysWhatWasInForceInEveryCategory()
    {
        var (site, secret) = await DayAsync();
        var at = await api.GetOkAsync(site, secret, $"/api/v4/state-spans/at/{Ms(Utc(29, 7, 45))}");
        Assert.Equal(150, at.GetProperty("profile").GetProperty("metadata").GetProperty("percentage").GetDouble());
        Assert.Equal(0.5, at.GetProperty("tempBasal").GetProperty("metadata").GetProperty("rate").GetDouble());
        Assert.Equal("TemporaryTarget", at.GetProperty("override").GetProperty("metadata").GetProperty("kind").GetString());
        Assert.Equal("Automatic", at.GetProperty("pumpMode").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Array, at.GetProperty("sleep").ValueKind);

        // ISO time works too; at 15:10Z the pump was suspended, no temp ran, the 60-minute profile switch was over.
        var suspended = await api.GetOkAsync(site, secret, "/api/v4/state-spans/at/2026-03-29T15:10:00Z");
        Assert.Equal("Suspended", suspended.GetProperty("pumpMode").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, suspended.GetProperty("tempBasal").ValueKind);
        Assert.Equal(JsonValueKind.Null, suspended.GetProperty("profile").ValueKind);

        // The percent temp cancelled at 12:30 was cut short.
        var cancelled = await api.GetOkAsync(site, secret, $"/api/v4/state-spans/at/{Ms(Utc(29, 12, 10))}");
        Assert.Equal(-50, cancelled.GetProperty("tempBasal").GetProperty("metadata").GetProperty("percent").GetDouble());
        Assert.Equal("Cancelled", cancelled.GetProperty("tempBasal").GetProperty("state").GetString());
        Assert.Equal(Ms(Utc(29, 12, 30)), cancelled.GetProperty("tempBasal").GetProperty("endMills").GetInt64());
    }

    [Fact]
    public async Task ChartDataOfTheDayHasTheHandCheckedBasalSeriesAndInsulinAndCarbs()
    {
        var (site, secret) = await DayAsync();
        var from = Ms(Utc(28, 23));
        var to = Ms(Utc(29, 22));
        var chart = await api.GetOkAsync(site, secret, $"/api/v4/chart-data?from={from}&to={to}");

        var basal = chart.GetProperty("basal").EnumerateArray()
            .Select(p => (DateTimeOffset.FromUnixTimeMilliseconds(p.GetProperty("mills").GetInt64()).ToString("dd HH:mm", System.Globalization.CultureInfo.InvariantCulture),
                p.GetProperty("rate").GetDouble(), p.GetProperty("type").GetString()))
            .ToList();
        (string, double, string?)[] expected =
        [
            ("28 23:00", 0.8, "scheduled"),
            ("29 04:00", 1.2, "scheduled"),   // 06:00 CEST: daylight saving already applied
            ("29 07:00", 1.8, "scheduled"),   // profile switch to 150 % for an hour
            ("29 07:30", 0.5, "temp"),
            ("29 08:00", 1.2, "scheduled"),   // temp and switch both over
            ("29 10:00", 1.0, "scheduled"),
            ("29 12:00", 0.5, "temp"),        // -50 % of 1.0
            ("29 12:30", 1.0, "scheduled"),   // cancelled by the zero-duration temp
            ("29 15:00", 0.0, "suspended"),
            ("29 15:45", 1.0, "scheduled"),
            // From 18:00 a timeshift of 2 h: local 22:00 (20:00Z) still plays the 20:00 rate 1.0, not 0.7.
        ];
        Assert.Equal(expected, basal);

        Assert.Equal(23 * 12, chart.GetProperty("glucose").GetArrayLength());
        Assert.Equal(2.0, Assert.Single(chart.GetProperty("boluses").EnumerateArray()).GetProperty("insulin").GetDouble());
        Assert.Equal(30, Assert.Single(chart.GetProperty("carbs").EnumerateArray()).GetProperty("carbs").GetDouble());
        Assert.Equal("mg/dl", chart.GetProperty("units").GetString());
        Assert.Equal(180, chart.GetProperty("thresholds").GetProperty("bgTargetTop").GetInt32());
        Assert.Contains(chart.GetProperty("spans").EnumerateArray(), s => s.GetProperty("category").GetString() == "PumpMode" && s.GetProperty("state").GetString() == "Suspended");

        var iob = chart.GetProperty("iob").EnumerateArray().ToDictionary(p => p.GetProperty("mills").GetInt64());
        Assert.Equal(23 * 12 + 1, iob.Count);
        Assert.Equal(0, iob[Ms(Utc(29, 8, 55))].GetProperty("bolusiob").GetDouble());
        Assert.Equal(2.0, iob[Ms(Utc(29, 9))].GetProperty("bolusiob").GetDouble());
        var later = iob[Ms(Utc(29, 10))].GetProperty("bolusiob").GetDouble();
        Assert.InRange(later, 0.5, 1.99);
        Assert.Equal(0, iob[Ms(Utc(29, 14, 30))].GetProperty("bolusiob").GetDouble());
        var cob = chart.GetProperty("cob").EnumerateArray().ToDictionary(p => p.GetProperty("mills").GetInt64(), p => p.GetProperty("cob").GetDouble());
        Assert.InRange(cob[Ms(Utc(29, 9, 5))], 1, 30);
        Assert.Equal(0, cob[Ms(Utc(29, 8, 55))]);
        Assert.Equal(0, cob[Ms(Utc(29, 21))]);
    }

    [Fact]
    public async Task ChartDataIobAndCobAreWhatTheSingleOrefCallsGiveAtEveryPoint()
    {
        var (site, secret) = await DayAsync();
        var from = Ms(Utc(29, 6));
        var to = Ms(Utc(29, 13));
        var chart = await api.GetOkAsync(site, secret, $"/api/v4/chart-data?from={from}&to={to}");

        // The reference: one IOB call and one meal call per 5 minutes, each over the treatments and
        // the day of readings known at that instant, as chart-data computed them before the series.
        var services = api.Factory.Services;
        var source = services.GetRequiredService<ChartDataSource>();
        var oref = services.GetRequiredService<IGrainFactory>().GetGrain<IOrefGrain>(0);
        var day = (long)OrefHistory.Span.TotalMilliseconds;
        var history = OrefHistory.Treatments(await source.TreatmentsAsync(site, from - day, to));
        var readings = OrefHistory.Glucose(await source.GlucoseAsync(site, from - day, to));
        var (mapped, _) = OrefProfileMapper.Map((await source.ProfilesAsync(site, from, to)).MaxBy(p => p.DateMs), DateTimeOffset.FromUnixTimeMilliseconds(to), null);
        var iob = chart.GetProperty("iob").EnumerateArray().ToList();
        var cob = chart.GetProperty("cob").EnumerateArray().ToDictionary(p => p.GetProperty("mills").GetInt64(), p => p.GetProperty("cob").GetDouble());
        Assert.Equal(7 * 12 + 1, iob.Count);
        Assert.Contains(cob.Values, c => c > 0);
        foreach (var point in iob)
        {
            var t = point.GetProperty("mills").GetInt64();
            var known = history.Where(h => DocumentTime.TryParse(h.CreatedAt, out var at) && at.ToUnixTimeMilliseconds() <= t).ToList();
            var seen = readings.Where(r => r.Date <= t && r.Date > t - day).ToList();
            var single = (await oref.CalculateIobFromHistoryAsync(new IobHistoryRequest(known, mapped!.Profile, t, mapped.UtcOffsetMinutes, CurrentOnly: true, UtcOffsets: mapped.UtcOffsets)))[0];
            var meal = await oref.CalculateMealAsync(new MealRequest(known, mapped.Profile, seen, t, mapped.UtcOffsetMinutes, mapped.UtcOffsets));
            Assert.Equal(Math.Round(single.Iob, 3), point.GetProperty("iob").GetDouble());
            Assert.Equal(Math.Round(single.BasalIob, 3), point.GetProperty("basaliob").GetDouble());
            Assert.Equal(Math.Round(single.BolusIob, 3), point.GetProperty("bolusiob").GetDouble());
            Assert.Equal(Math.Round(single.Activity, 5), point.GetProperty("activity").GetDouble());
            Assert.Equal(Math.Round(meal.MealCob!.Value, 1), cob[t]);
        }
    }
}
