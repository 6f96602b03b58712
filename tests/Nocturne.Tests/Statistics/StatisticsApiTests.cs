using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Statistics;

/// <summary>
/// GET /api/v4/statistics against a fixture small enough to compute by hand (the figures in the
/// comments), stored through the real upload routes.
/// </summary>
public sealed class StatisticsApiTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static readonly DateTimeOffset Day = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static long At(int hours, int minutes) => Day.AddHours(hours).AddMinutes(minutes).ToUnixTimeMilliseconds();

    private static object Sgv(long date, object sgv) => new { type = "sgv", sgv, date, device = "fixture" };

    [Fact]
    public async Task AHandComputedDayGivesTheConsensusFigures()
    {
        var (site, secret) = await api.CreateSiteAsync("stats");
        var (other, otherSecret) = await api.CreateSiteAsync("stats-other");
        var entries = new[]
        {
            Sgv(At(0, 0), 50), Sgv(At(0, 5), 100), Sgv(At(0, 10), 150), // AGP slot 00:00: 50, 100, 150
            Sgv(At(6, 0), 60), Sgv(At(8, 0), 180), Sgv(At(12, 0), 200), Sgv(At(18, 0), 260), Sgv(At(20, 0), "120"),
            Sgv(At(21, 0), 38), // a device code, not a reading
        };
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", entries)).Status);
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new object[]
        {
            new { eventType = "Correction Bolus", insulin = 2.5, created_at = Day.AddHours(8).ToString("O") },
            new { eventType = "Meal Bolus", insulin = 4, carbs = 45, created_at = Day.AddHours(12).ToString("O") },
        })).Status);
        // Another site's low reading at the same time must not count.
        Assert.Equal(200, (await api.SendAsAdminAsync(other, otherSecret, HttpMethod.Post, "/api/v1/entries", new[] { Sgv(At(3, 0), 40) })).Status);

        var report = await api.GetOkAsync(site, secret, $"/api/v4/statistics?from={At(0, 0)}&to={At(24, 0)}");

        Assert.Equal(8, report.GetProperty("readings").GetInt32());
        var ranges = report.GetProperty("timeInRanges");
        Assert.Equal(12.5, ranges.GetProperty("veryLow").GetDouble(), 6);   // 50
        Assert.Equal(12.5, ranges.GetProperty("low").GetDouble(), 6);       // 60
        Assert.Equal(50.0, ranges.GetProperty("inRange").GetDouble(), 6);   // 100, 150, 180, 120
        Assert.Equal(12.5, ranges.GetProperty("high").GetDouble(), 6);      // 200
        Assert.Equal(12.5, ranges.GetProperty("veryHigh").GetDouble(), 6);  // 260
        Assert.Equal(140.0, report.GetProperty("mean").GetDouble(), 6);     // 1120 / 8
        Assert.Equal(71.9126454, report.GetProperty("standardDeviation").GetDouble(), 5); // sqrt(36200 / 7)
        Assert.Equal(51.3661753, report.GetProperty("coefficientOfVariation").GetDouble(), 5);
        Assert.Equal(6.6588, report.GetProperty("gmi").GetDouble(), 6);     // 3.31 + 0.02392 × 140
        Assert.Equal(800.0 / 288, report.GetProperty("sensorUse").GetDouble(), 6); // 8 of 288 five-minute intervals
        Assert.Equal("UTC", report.GetProperty("timeZone").GetString());

        var agp = report.GetProperty("agp").EnumerateArray().ToList();
        Assert.Equal(96, agp.Count);
        var first = agp[0];
        Assert.Equal(3, first.GetProperty("readings").GetInt32());
        Assert.Equal(55.0, first.GetProperty("p5").GetDouble(), 6);   // 50 + 0.1 × 50
        Assert.Equal(75.0, first.GetProperty("p25").GetDouble(), 6);
        Assert.Equal(100.0, first.GetProperty("p50").GetDouble(), 6);
        Assert.Equal(125.0, first.GetProperty("p75").GetDouble(), 6);
        Assert.Equal(145.0, first.GetProperty("p95").GetDouble(), 6);
        Assert.Equal(JsonValueKind.Null, agp[1].GetProperty("p50").ValueKind);

        var day = Assert.Single(report.GetProperty("days").EnumerateArray());
        Assert.Equal("2026-03-01", day.GetProperty("date").GetString());
        Assert.Equal(6.5, day.GetProperty("bolusInsulin").GetDouble(), 6);
        Assert.Equal(45.0, day.GetProperty("carbs").GetDouble(), 6);
    }

    [Fact]
    public async Task TimeOfDayAndDaysFollowTheProfileTimeZone()
    {
        var (site, secret) = await api.CreateSiteAsync("stats-zone");
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/profile", new
        {
            defaultProfile = "Default",
            startDate = Day.AddDays(-10).ToString("O"),
            // A dictionary: the request body is camelCased, and the store name must stay as written.
            store = new Dictionary<string, object> { ["Default"] = new { timezone = "America/New_York", units = "mg/dl", dia = 5, basal = new[] { new { time = "00:00", value = 1.0 } } } },
        })).Status);
        // 05:07 UTC is 00:07 in New York (EST): the first AGP slot, not the one at 05:00.
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[] { Sgv(At(5, 7), 110) })).Status);
        // 03:00 UTC on 2 March is 22:00 on 1 March in New York.
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new[]
        {
            new { eventType = "Carb Correction", carbs = 15, created_at = Day.AddDays(1).AddHours(3).ToString("O") },
        })).Status);

        var report = await api.GetOkAsync(site, secret, $"/api/v4/statistics?from={At(5, 0)}&to={At(5 + 24, 0)}");

        Assert.Equal("America/New_York", report.GetProperty("timeZone").GetString());
        Assert.Equal(1, report.GetProperty("agp")[0].GetProperty("readings").GetInt32());
        var days = report.GetProperty("days").EnumerateArray().ToDictionary(d => d.GetProperty("date").GetString()!, d => d.GetProperty("carbs").GetDouble());
        Assert.Equal(new Dictionary<string, double> { ["2026-03-01"] = 15 }, days);
    }

    [Theory]
    [InlineData("from=10&to=5", "before")]
    [InlineData("from=yesterday", "epoch")]
    [InlineData("to=NaN", "epoch")]
    [InlineData("from=0&to=40000000000", "366")]
    public async Task BadPeriodsAreA400(string query, string hint)
    {
        var (site, secret) = await api.CreateSiteAsync("stats-bad");
        var (status, body) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v4/statistics?" + query);
        Assert.Equal(400, status);
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.Contains(hint, body.GetProperty("message").GetString() + " " + body.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadingTheReportNeedsReadAccess()
    {
        var (site, _) = await api.CreateSiteAsync("stats-auth", new { authDefaultRoles = new[] { "denied" } });
        var (status, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v4/statistics"));
        Assert.Equal(401, status);
    }
    [Fact]
    public async Task NewRoutesAnswerHeadAndAWrongMethodIs404()
    {
        var (site, secret) = await api.CreateSiteAsync("stats-routes");
        foreach (var path in new[] { "/api/v4/statistics", "/report", "/clinic" })
        {
            using var head = MultiSiteApi.SiteRequest(site, HttpMethod.Head, path, MultiSiteApi.Sha1(secret));
            using var response = await api.Client.SendAsync(head);
            Assert.True(response.StatusCode is System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.NotFound, $"HEAD {path}: {(int)response.StatusCode}");
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(200, (int)(await api.Client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Head, "/api/v4/statistics", MultiSiteApi.Sha1(secret)))).StatusCode);
        Assert.Equal(404, (await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, "/api/v4/statistics")).Status);
        Assert.Equal(404, (await api.SendAsAdminAsync(site, secret, HttpMethod.Put, "/api/v4/clinic/board", new { })).Status);
        Assert.Equal(404, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/clinic-shares/audit", new { })).Status);
    }
}
