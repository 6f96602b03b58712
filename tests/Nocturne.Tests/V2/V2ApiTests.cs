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
        Assert.Equal("B: 0.75U", p.GetProperty("basal").GetProperty("display").GetString());
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
        Assert.Equal("+0.3", p.GetProperty("delta").GetProperty("display").GetString());
    }

    [Fact]
    public async Task PropertiesComeFromTheLiveStateAfterAReload()
    {
        var (site, secret) = await SiteAsync();
        var grains = (IGrainFactory)api.Factory.Services.GetService(typeof(IGrainFactory))!;
        await grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var p = await api.GetOkAsync(site, secret, "/api/v2/properties");
        Assert.Equal(120, p.GetProperty("bgnow").GetProperty("last").GetInt32());
        Assert.Equal(30, p.GetProperty("cage").GetProperty("age").GetInt32());
        Assert.Equal("B: 0.75U", p.GetProperty("basal").GetProperty("display").GetString());
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
        Assert.Equal(1, s.GetProperty("sgvs")[2].GetProperty("noise").GetInt32());
        Assert.Equal(40, s.GetProperty("treatments").GetProperty("treatments")[0].GetProperty("carbs").GetDouble());
        Assert.Equal(30 * 60_000, s.GetProperty("treatments").GetProperty("tempBasals")[0].GetProperty("duration").GetDouble());
        Assert.Equal("Default", s.GetProperty("profile").GetProperty("defaultProfile").GetString());
        Assert.Equal(30, s.GetProperty("state").GetProperty("cage").GetInt32());
        Assert.Equal(25, s.GetProperty("state").GetProperty("battery").GetInt32());
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/summary?hours=abc", MultiSiteApi.Sha1(secret)))).Status);
    }
}
