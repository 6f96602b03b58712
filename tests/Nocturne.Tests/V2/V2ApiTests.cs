using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V2;

public sealed class V2ApiTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff") + "Z";

    private async Task<(string Site, string Secret)> SiteAsync(string units = "mg/dl")
    {
        var (site, secret) = await api.CreateSiteAsync("v2", new { units });
        async Task Post(string path, object body) =>
            Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, path, MultiSiteApi.Sha1(secret), body))).Status);

        // 120 now, 114 five minutes ago, 110 ten minutes ago.
        await Post("/api/v1/entries", new object[]
        {
            new { type = "sgv", date = Now.AddMinutes(-10).ToUnixTimeMilliseconds(), sgv = 110, direction = "Flat", device = "dexcom" },
            new { type = "sgv", date = Now.AddMinutes(-5).ToUnixTimeMilliseconds(), sgv = 114, direction = "FortyFiveUp", device = "dexcom" },
            new { type = "sgv", date = Now.ToUnixTimeMilliseconds(), sgv = 120, direction = "SingleUp", device = "dexcom", noise = 1, filtered = 130000, unfiltered = 140000 },
            new { type = "cal", date = Now.AddHours(-3).ToUnixTimeMilliseconds(), scale = 1, intercept = 10000, slope = 1000 },
            new { type = "mbg", date = Now.AddMinutes(-7).ToUnixTimeMilliseconds(), mbg = 118, device = "meter" },
        });
        await Post("/api/v1/treatments", new object[]
        {
            new { eventType = "Site Change", created_at = Iso(Now.AddHours(-30)) },
            new { eventType = "Sensor Start", created_at = Iso(Now.AddDays(-3).AddHours(-2)) },
            new { eventType = "Meal Bolus", created_at = Iso(Now.AddMinutes(-40)), carbs = 40, insulin = 4 },
            new { eventType = "Temp Basal", created_at = Iso(Now.AddMinutes(-20)), duration = 30, absolute = 0.4 },
        });
        await Post("/api/v1/devicestatus", new { device = "loop://iPhone", created_at = Iso(Now.AddMinutes(-2)), uploader = new { battery = 25 }, pump = new { reservoir = 123.4 } });
        await Post("/api/v1/profile", new
        {
            defaultProfile = "Default",
            startDate = Iso(Now.AddDays(-10)),
            store = new Dictionary<string, object> { ["Default"] = new { timezone = "UTC", basal = new[] { new { time = "00:00", value = 0.75 } } } },
        });
        return (site, secret);
    }

    [Fact]
    public async Task PropertiesDescribeTheCurrentState()
    {
        var (site, secret) = await SiteAsync();
        var p = await api.GetOkAsync(site, secret, "/api/v2/properties");

        Assert.Equal(120, p.GetProperty("bgnow").GetProperty("last").GetInt32());
        Assert.Equal(Now.ToUnixTimeMilliseconds(), p.GetProperty("bgnow").GetProperty("mills").GetInt64());
        Assert.Equal(6, p.GetProperty("delta").GetProperty("mgdl").GetInt32());
        Assert.Equal("+6", p.GetProperty("delta").GetProperty("display").GetString());
        // ratio = (130000-10000)/1000/120 = 1; raw = (140000-10000)/1000 = 130.
        Assert.Equal(130, p.GetProperty("rawbg").GetProperty("mgdl").GetInt32());
        Assert.Equal("Clean", p.GetProperty("rawbg").GetProperty("noiseLabel").GetString());
        Assert.Equal("SingleUp", p.GetProperty("direction").GetProperty("value").GetString());
        Assert.Equal("↑", p.GetProperty("direction").GetProperty("label").GetString());
        Assert.Equal(4, p.GetProperty("buckets").GetArrayLength());
        Assert.Equal("25%", p.GetProperty("upbat").GetProperty("display").GetString());
        Assert.Equal("warn", p.GetProperty("upbat").GetProperty("status").GetString());
        Assert.Equal(30, p.GetProperty("cage").GetProperty("age").GetInt32());
        Assert.Equal("74h", p.GetProperty("sage").GetProperty("display").GetString());
        Assert.False(p.GetProperty("iage").GetProperty("found").GetBoolean());
        // The temp basal of 0.4 U/h started 20 minutes ago for 30 minutes replaces the scheduled 0.75.
        Assert.Equal("T: 0.400U", p.GetProperty("basal").GetProperty("display").GetString());
        Assert.Equal(0.75, p.GetProperty("basal").GetProperty("current").GetProperty("basal").GetDouble());
        Assert.Equal(0.4, p.GetProperty("basal").GetProperty("current").GetProperty("tempbasal").GetDouble());
        Assert.Equal(0.4, p.GetProperty("basal").GetProperty("current").GetProperty("totalbasal").GetDouble());
        Assert.Equal("Temp Basal", p.GetProperty("basal").GetProperty("current").GetProperty("treatment").GetProperty("eventType").GetString());
        // The reference's AR2 forecast from 120 now and 114 five minutes ago.
        var ar2 = p.GetProperty("ar2");
        Assert.Equal([125, 128, 131, 133, 135, 136], ar2.GetProperty("forecast").GetProperty("predicted").EnumerateArray().Select(x => x.GetProperty("mgdl").GetInt32()));
        Assert.Equal(Now.ToUnixTimeMilliseconds() + 302_000, ar2.GetProperty("forecast").GetProperty("predicted")[0].GetProperty("mills").GetInt64());
        Assert.Equal("BG 15m: 131 mg/dl", ar2.GetProperty("displayLine").GetString());
        Assert.False(ar2.TryGetProperty("level", out _));
        Assert.Equal(123.4, p.GetProperty("pump").GetProperty("data").GetProperty("reservoir").GetDouble());
        Assert.Equal("loaded", p.GetProperty("runtimestate").GetProperty("state").GetString());

        var some = await api.GetOkAsync(site, secret, "/api/v2/properties/bgnow,delta");
        Assert.Equal(["bgnow", "delta"], some.EnumerateObject().Select(o => o.Name).Order());
    }

    [Fact]
    public async Task PropertiesAndDdataNeedTreatmentsReadAsWellAsEntriesRead()
    {
        var (site, secret) = await api.CreateSiteAsync("v2perm", new { authDefaultRoles = new[] { "denied" } });
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v2/authorization/roles", new { name = "cgm-only", permissions = new[] { "api:entries:read" } });
        var cgmOnly = await api.CreateSubjectAsync(site, secret, "cgm viewer", "cgm-only");
        Assert.Equal(200, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/entries.json?token={cgmOnly}"))).Status);
        foreach (var path in new[] { "/api/v2/properties", "/api/v2/properties/bgnow", "/api/v2/ddata/at" })
        {
            Assert.Equal(401, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}{path}?token={cgmOnly}"))).Status);
        }
    }

    [Fact]
    public async Task PropertiesScaleToMmol()
    {
        var (site, secret) = await SiteAsync("mmol");
        var p = await api.GetOkAsync(site, secret, "/api/v2/properties/bgnow,delta");
        Assert.Equal(6.7, p.GetProperty("bgnow").GetProperty("sgvs")[0].GetProperty("scaled").GetDouble());
        // As the reference: the difference of the rounded mmol values (6.7 - 6.3), not 6 mg/dL scaled.
        Assert.Equal("+0.4", p.GetProperty("delta").GetProperty("display").GetString());
    }

    [Fact]
    public async Task PropertiesComeFromTheLiveStateAfterAReload()
    {
        var (site, secret) = await SiteAsync();
        await GrainReload.ReloadSiteAsync(api, site);
        var p = await api.GetOkAsync(site, secret, "/api/v2/properties");
        Assert.Equal(120, p.GetProperty("bgnow").GetProperty("last").GetInt32());
        Assert.Equal(30, p.GetProperty("cage").GetProperty("age").GetInt32());
        Assert.Equal("T: 0.400U", p.GetProperty("basal").GetProperty("display").GetString());
    }

    [Fact]
    public async Task DdataHasTheDataSetAroundAMoment()
    {
        var (site, secret) = await SiteAsync();
        var d = await api.GetOkAsync(site, secret, "/api/v2/ddata/at");
        Assert.Equal([110, 114, 120], d.GetProperty("sgvs").EnumerateArray().Select(s => s.GetProperty("mgdl").GetInt32()));
        Assert.Equal("sgv", d.GetProperty("sgvs")[0].GetProperty("type").GetString());
        Assert.Equal(118, d.GetProperty("mbgs")[0].GetProperty("mgdl").GetInt32());
        // The sensor start, 74 hours ago, is outside the 48-hour data set.
        Assert.Equal(3, d.GetProperty("treatments").GetArrayLength());
        Assert.True(d.GetProperty("treatments")[0].TryGetProperty("mills", out _));
        Assert.Equal(1, d.GetProperty("devicestatus").GetArrayLength());
        Assert.Equal(1, d.GetProperty("profiles").GetArrayLength());

        // An hour ago only the readings before then are there.
        var earlier = await api.GetOkAsync(site, secret, $"/api/v2/ddata/at/{Uri.EscapeDataString(Iso(Now.AddMinutes(-8)))}");
        Assert.Equal([110], earlier.GetProperty("sgvs").EnumerateArray().Select(s => s.GetProperty("mgdl").GetInt32()));

        Assert.Equal(404, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/ddata", MultiSiteApi.Sha1(secret)))).Status);
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/ddata/at/not-a-time", MultiSiteApi.Sha1(secret)))).Status);
    }

    [Fact]
    public async Task SummaryListsRecentReadingsTreatmentsAndState()
    {
        var (site, secret) = await SiteAsync();
        var s = await api.GetOkAsync(site, secret, "/api/v2/summary?hours=1");
        Assert.Equal([110, 114, 120], s.GetProperty("sgvs").EnumerateArray().Select(x => x.GetProperty("sgv").GetInt32()));
        // As the reference: noise only when it is not 1 (clean).
        Assert.False(s.GetProperty("sgvs")[2].TryGetProperty("noise", out _));
        Assert.Equal(40, s.GetProperty("treatments").GetProperty("treatments")[0].GetProperty("carbs").GetDouble());
        Assert.Equal(30 * 60_000, s.GetProperty("treatments").GetProperty("tempBasals")[0].GetProperty("duration").GetDouble());
        // The active profile itself, flattened as the reference shows it.
        Assert.Equal(0.75, s.GetProperty("profile").GetProperty("basal")[0].GetProperty("value").GetDouble());
        Assert.Equal("UTC", s.GetProperty("profile").GetProperty("timezone").GetString());
        Assert.False(s.GetProperty("profile").TryGetProperty("store", out _));
        Assert.Equal(30, s.GetProperty("state").GetProperty("cage").GetInt32());
        Assert.Equal(25, s.GetProperty("state").GetProperty("battery").GetInt32());
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/summary?hours=abc", MultiSiteApi.Sha1(secret)))).Status);
    }

    [Fact]
    public async Task PropertiesReportAnHourOldReadingWithItsTime()
    {
        var (site, secret) = await api.CreateSiteAsync("v2old");
        var newest = Now.AddMinutes(-60).ToUnixTimeMilliseconds();
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new object[]
        {
            new { type = "sgv", date = newest - 600_000, sgv = 100, direction = "Flat", device = "g6" },
            new { type = "sgv", date = newest - 300_000, sgv = 104, direction = "Flat", device = "g6" },
            new { type = "sgv", date = newest, sgv = 110, direction = "FortyFiveUp", device = "g6" },
        });
        var p = await api.GetOkAsync(site, secret, "/api/v2/properties/bgnow,delta,direction,buckets");
        Assert.Equal(110, p.GetProperty("bgnow").GetProperty("last").GetInt32());
        Assert.Equal(newest, p.GetProperty("bgnow").GetProperty("mills").GetInt64());
        Assert.Equal(6, p.GetProperty("delta").GetProperty("mgdl").GetInt32());
        Assert.Equal("FortyFiveUp", p.GetProperty("direction").GetProperty("value").GetString());
        var buckets = p.GetProperty("buckets");
        Assert.Equal(4, buckets.GetArrayLength());
        Assert.Equal(newest - 150_000, buckets[0].GetProperty("fromMills").GetInt64());
        Assert.Equal(104, buckets[1].GetProperty("last").GetInt32());
        Assert.True(buckets[3].GetProperty("isEmpty").GetBoolean());
    }

    [Fact]
    public async Task MiniMedConnectPumpIobIsReported()
    {
        var (site, secret) = await api.CreateSiteAsync("v2mmc");
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", new
        {
            device = "connect://paradigm",
            created_at = Iso(Now.AddMinutes(-2)),
            connect = new { sensorState = "NORMAL" },
            pump = new { iob = new { bolusiob = 1.35 }, reservoir = 80 },
        });
        var iob = (await api.GetOkAsync(site, secret, "/api/v2/properties/iob")).GetProperty("iob");
        Assert.Equal(1.35, iob.GetProperty("iob").GetDouble());
        Assert.Equal("MM Connect", iob.GetProperty("source").GetString());
        Assert.Equal("connect://paradigm", iob.GetProperty("device").GetString());
    }

    [Fact]
    public async Task DdataHasTheReferencesTreatmentListsBatteryAndActivity()
    {
        var (site, secret) = await api.CreateSiteAsync("v2ddata");
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new object[]
        {
            new { eventType = "Pump Battery Change", created_at = Iso(Now.AddHours(-5)) },
            new { eventType = "Combo Bolus", created_at = Iso(Now.AddHours(-2)), insulin = 2, duration = 60, relative = 1.5 },
            new { eventType = "Site Change", created_at = Iso(Now.AddHours(-3)) },
            new { eventType = "Temp Basal", created_at = Iso(Now.AddMinutes(-100)), duration = 60, absolute = 1.2 },
            new { eventType = "Temp Basal", created_at = Iso(Now.AddMinutes(-70)), duration = 30, absolute = 0.5 },
            new { eventType = "Temporary Target", created_at = Iso(Now.AddMinutes(-50)), duration = 60, targetTop = 6, targetBottom = 5, units = "mmol" },
        });
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", new { device = "xdrip", created_at = Iso(Now.AddMinutes(-3)), uploaderBattery = 64 });
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/activity", new { created_at = Iso(Now.AddMinutes(-30)), steps = 1200, heartrate = 88 });

        var d = await api.GetOkAsync(site, secret, "/api/v2/ddata/at");
        Assert.Equal("Pump Battery Change", d.GetProperty("batteryTreatments")[0].GetProperty("eventType").GetString());
        Assert.Equal(1.5, d.GetProperty("combobolusTreatments")[0].GetProperty("relative").GetDouble());
        Assert.Equal(1, d.GetProperty("sitechangeTreatments").GetArrayLength());
        // The first temp basal ends where the second begins, as the reference cuts them.
        var temps = d.GetProperty("tempbasalTreatments");
        Assert.Equal([30.0, 30.0], temps.EnumerateArray().Select(t => Math.Round(t.GetProperty("duration").GetDouble(), 3)));
        var target = d.GetProperty("tempTargetTreatments")[0];
        Assert.Equal(108.09, Math.Round(target.GetProperty("targetTop").GetDouble(), 2));
        Assert.Equal("mg/dl", target.GetProperty("units").GetString());
        Assert.Equal(0, d.GetProperty("profileTreatments").GetArrayLength());
        var status = d.GetProperty("devicestatus")[0];
        Assert.Equal(64, status.GetProperty("uploader").GetProperty("battery").GetInt32());
        Assert.False(status.TryGetProperty("uploaderBattery", out _));
        var activity = d.GetProperty("activity")[0];
        Assert.Equal(1200, activity.GetProperty("steps").GetInt32());
        Assert.Equal(88, activity.GetProperty("heartrate").GetInt32());
        Assert.Equal(Iso(Now.AddMinutes(-30)), activity.GetProperty("mills").GetString());
    }
}
