using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Push;

/// <summary>
/// The device alarms a follower hears, from device statuses as AndroidAPS (OpenAPS shape) and Loop
/// upload them: pump reservoir and battery, uploader battery, a loop that stopped (found by the
/// minute reminder with no upload at all), and the loop's own predicted low in place of ar2.
/// </summary>
public sealed class DeviceAlarmTests : IClassFixture<MultiSiteApi>
{
    private readonly MultiSiteApi _host;
    private readonly SiteApi _api;

    public DeviceAlarmTests(MultiSiteApi host)
    {
        _host = host;
        _api = new SiteApi(host.Client);
    }

    private static object Settings(params string[] alerts) => new
    {
        enable = new[] { "pump", "openaps", "loop", "upbat" },
        deviceAlarms = new
        {
            pumpEnableAlerts = alerts.Contains("pump"),
            openapsEnableAlerts = alerts.Contains("openaps"),
            loopEnableAlerts = alerts.Contains("loop"),
            upbatEnableAlerts = alerts.Contains("upbat"),
        },
    };

    [Fact]
    public async Task APumpRunningLowWarnsThenAlarmsUrgentAnAckSilencesItAndARefillClearsIt()
    {
        var (site, secret) = await _api.CreateSiteAsync("pumpalarm", Settings("pump"));
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow;

        await PostStatusAsync(site, secret, Aaps(now.AddMinutes(-2), reservoir: 8.5, batteryPercent: 60));
        var warning = await follower.NextAsync("alarm", a => a.GetProperty("group").GetString() == "Pump");
        Assert.Equal("Warning, Pump Reservoir Low", warning.GetProperty("title").GetString());
        Assert.Equal("Pump Battery: 60%\nPump Reservoir: 8.50U", warning.GetProperty("message").GetString());

        // A worse level alarms again although the warning sounded already.
        await PostStatusAsync(site, secret, Aaps(now.AddMinutes(-1), reservoir: 8, batteryPercent: 15));
        var urgent = await follower.NextAsync("urgent_alarm", a => a.GetProperty("group").GetString() == "Pump");
        Assert.Equal("URGENT: Pump Battery Low", urgent.GetProperty("title").GetString());
        var active = (await _api.AlarmsAsync(site, secret)).GetProperty("active").EnumerateArray().Single(a => a.GetProperty("group").GetString() == "Pump");
        Assert.Equal(2, active.GetProperty("level").GetInt32());

        await _api.SendOkAsync(site, secret, HttpMethod.Get, "/api/v1/notifications/ack?level=2&group=Pump&time=600000");
        await follower.NextAsync("clear_alarm", c => c.GetProperty("message").GetString() == "Pump - Urgent was ack'd");
        await PostStatusAsync(site, secret, Aaps(now, reservoir: 7, batteryPercent: 14));
        await follower.NextAsync("dataUpdate", d => d.TryGetProperty("devicestatus", out _));
        var snoozed = Group(await _api.AlarmsWhenAsync(site, secret, a => Group(a, "Pump") is { } p && p.GetProperty("snoozed").GetBoolean()), "Pump");
        Assert.True(snoozed!.Value.GetProperty("snoozed").GetBoolean());
        Assert.Equal("URGENT: Pump Battery Low", snoozed.Value.GetProperty("title").GetString());
        Assert.DoesNotContain(follower.Pending(), e => e.Name is "urgent_alarm" or "alarm");

        // Refilled and charged: nothing about the pump alarms any more.
        await PostStatusAsync(site, secret, Aaps(now.AddSeconds(1), reservoir: 180, batteryPercent: 100));
        Assert.Null(Group(await _api.AlarmsWhenAsync(site, secret, a => Group(a, "Pump") is null), "Pump"));
    }

    [Fact]
    public async Task UploaderBatteryBelowTheUrgentLevelAlarmsAndClearsItselfWhenCharged()
    {
        var (site, secret) = await _api.CreateSiteAsync("upbat", Settings("upbat"));
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow;

        await PostStatusAsync(site, secret, LoopStatus(now.AddMinutes(-12), now.AddMinutes(-12), uploaderBattery: 18, predicted: [120, 121, 122]));
        var urgent = await follower.NextAsync("urgent_alarm", a => a.GetProperty("group").GetString() == "Uploader Battery");
        Assert.Equal("Urgent Uploader Battery is Low", urgent.GetProperty("title").GetString());
        Assert.Equal("loop://iPhone 18%", urgent.GetProperty("message").GetString());

        // The lowest of a device's last 10 minutes counts: charged 11 minutes later, the alarm clears
        // with the reference's auto-ack.
        await PostStatusAsync(site, secret, LoopStatus(now.AddMinutes(-1), now.AddMinutes(-1), uploaderBattery: 96, predicted: [120, 121, 122]));
        var clear = await follower.NextAsync("clear_alarm", c => c.GetProperty("group").GetString() == "Uploader Battery");
        Assert.Equal("Auto ack'd alarm(s)", clear.GetProperty("message").GetString());
    }

    [Fact]
    public async Task DeviceAlarmsAreOffUnlessTheSiteEnablesThem()
    {
        var (site, secret) = await _api.CreateSiteAsync("devoff", new { enable = new[] { "pump", "openaps", "upbat" } });
        var now = DateTimeOffset.UtcNow;
        var status = Aaps(now, reservoir: 2, batteryPercent: 5);
        status["uploaderBattery"] = 5;
        ((Dictionary<string, object?>)((Dictionary<string, object?>)status["openaps"]!)["suggested"]!)["timestamp"] = now.AddHours(-2).ToString("O");
        await PostStatusAsync(site, secret, status);
        await Task.Delay(1000);
        Assert.Empty((await _api.AlarmsAsync(site, secret)).GetProperty("active").EnumerateArray());
    }

    [Fact]
    public async Task OpenApsThatHasNotLoopedForAnHourIsUrgentAndAFreshLoopClearsIt()
    {
        var (site, secret) = await _api.CreateSiteAsync("oapsstale", Settings("openaps"));
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow;

        await PostStatusAsync(site, secret, Aaps(now.AddMinutes(-62), reservoir: 100, batteryPercent: 80));
        var urgent = await follower.NextAsync("urgent_alarm", a => a.GetProperty("group").GetString() == "OpenAPS");
        Assert.Equal("OpenAPS isn't looping", urgent.GetProperty("title").GetString());
        Assert.Equal("Last Loop: 1h ago", urgent.GetProperty("message").GetString());

        await PostStatusAsync(site, secret, Aaps(now, reservoir: 100, batteryPercent: 80));
        await follower.NextAsync("clear_alarm", c => c.GetProperty("group").GetString() == "OpenAPS");
    }

    [Fact]
    public async Task ALoopThatStopsAlarmsFromTheReminderWithNoUploadAndClearsOnTheNextLoop()
    {
        var (site, secret) = await _api.CreateSiteAsync("loopstale", Settings("loop"));
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));

        // The last successful loop is 29 min 50 s old at upload: nothing yet; 30 minutes pass ten seconds later.
        var lastLoop = DateTimeOffset.UtcNow.AddMinutes(-30).AddSeconds(10);
        await PostStatusAsync(site, secret, LoopStatus(lastLoop, lastLoop, uploaderBattery: 80, predicted: [120, 121, 122]));
        await follower.NextAsync("dataUpdate");
        Assert.Null(Group(await _api.AlarmsAsync(site, secret), "Loop"));
        var warning = await follower.NextAsync("alarm", a => a.GetProperty("group").GetString() == "Loop", seconds: 100);
        Assert.Equal("Loop isn't looping", warning.GetProperty("title").GetString());
        Assert.Matches("^Last Loop: 3[01]m ago$", warning.GetProperty("message").GetString());

        // A failed loop is not a loop; a successful one clears the alarm.
        var failed = LoopStatus(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, uploaderBattery: 80, predicted: [120, 121, 122]);
        ((Dictionary<string, object?>)failed["loop"]!)["failureReason"] = "pumpDataTooOld";
        await PostStatusAsync(site, secret, failed);
        await follower.NextAsync("alarm", a => a.GetProperty("group").GetString() == "Loop");
        await PostStatusAsync(site, secret, LoopStatus(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, uploaderBattery: 80, predicted: [120, 121, 122]));
        await follower.NextAsync("clear_alarm", c => c.GetProperty("group").GetString() == "Loop");
    }

    [Fact]
    public async Task TheOpenApsForecastRaisesAnUrgentPredictedLowWhileFreshAndNotWhenStale()
    {
        var (site, secret) = await _api.CreateSiteAsync("orefpred", new { });
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow;

        // Twenty minutes old: not the loop's current forecast, so ar2 (no readings) decides and nothing alarms.
        var stale = Aaps(now.AddMinutes(-20), reservoir: 100, batteryPercent: 80, iobCurve: [100, 90, 80, 70, 60, 50, 45]);
        await PostStatusAsync(site, secret, stale);
        await follower.NextAsync("dataUpdate");
        await Task.Delay(500);
        Assert.Empty((await _api.AlarmsAsync(site, secret)).GetProperty("active").EnumerateArray());

        // Fresh, heading for 45 within half an hour: urgent below BG_LOW (55). ZT alone would not alarm.
        await PostStatusAsync(site, secret, Aaps(now, reservoir: 100, batteryPercent: 80, iobCurve: [100, 90, 80, 70, 60, 50, 45, 60]));
        var urgent = await follower.NextAsync("urgent_alarm", a => a.GetProperty("group").GetString() == "default");
        Assert.Equal("Urgent, LOW predicted", urgent.GetProperty("title").GetString());
        Assert.Equal("OpenAPS predicts 45 mg/dl in 30 min", urgent.GetProperty("message").GetString());
        Assert.Equal("openaps", urgent.GetProperty("plugin").GetProperty("name").GetString());

        await _api.SendOkAsync(site, secret, HttpMethod.Get, "/api/v1/notifications/ack?level=2&group=default&time=600000");
        await follower.NextAsync("clear_alarm", c => c.GetProperty("message").GetString() == "default - Urgent was ack'd");

        // The forecast recovers: cleared.
        await PostStatusAsync(site, secret, Aaps(now.AddSeconds(1), reservoir: 100, batteryPercent: 80, iobCurve: [100, 101, 102]));
        Assert.Null(Group(await _api.AlarmsWhenAsync(site, secret, a => Group(a, "default") is null), "default"));
    }

    [Fact]
    public async Task TheLoopForecastBelowTheTargetRangeWarns()
    {
        var (site, secret) = await _api.CreateSiteAsync("looppred", new { });
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow;
        await _api.PostEntryAsync(site, secret, 95, now.AddMinutes(-5).ToUnixTimeMilliseconds());
        await _api.PostEntryAsync(site, secret, 92, now.ToUnixTimeMilliseconds());

        // 75 at 20 minutes, under BG_TARGET_BOTTOM (80) and above BG_LOW; the lower 60 lies beyond half an hour.
        await PostStatusAsync(site, secret, LoopStatus(now, now, uploaderBattery: 80, predicted: [92, 88, 83, 79, 75, 78, 80, 82, 70, 60]));
        var warning = await follower.NextAsync("alarm", a => a.GetProperty("group").GetString() == "default");
        Assert.Equal("Warning, LOW predicted", warning.GetProperty("title").GetString());
        Assert.Equal("BG Now: 92 mg/dl\nLoop predicts 75 mg/dl in 20 min", warning.GetProperty("message").GetString());
        Assert.Equal("loop", warning.GetProperty("plugin").GetProperty("name").GetString());
    }

    // AndroidAPS's device status (openaps + pump + uploaderBattery), the loop having run at `at`.
    private static Dictionary<string, object?> Aaps(DateTimeOffset at, double reservoir, double batteryPercent, double[]? iobCurve = null)
    {
        var iso = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var predBGs = new Dictionary<string, object?> { ["IOB"] = iobCurve ?? [110, 111, 112, 113], ["ZT"] = new double[] { 110, 90, 70, 50, 40 } };
        return new Dictionary<string, object?>
        {
            ["device"] = "openaps://samsung SM-G970F",
            ["created_at"] = iso,
            ["pump"] = new Dictionary<string, object?>
            {
                ["clock"] = iso,
                ["reservoir"] = reservoir,
                ["battery"] = new { percent = batteryPercent },
                ["status"] = new { status = "normal", timestamp = iso },
                ["extended"] = new { Version = "3.2.0", ActiveProfile = "Default" },
            },
            ["openaps"] = new Dictionary<string, object?>
            {
                ["suggested"] = new Dictionary<string, object?>
                {
                    ["bg"] = 110, ["temp"] = "absolute", ["eventualBG"] = 112, ["COB"] = 0, ["IOB"] = 0.35,
                    ["reason"] = "COB: 0, Dev: 5, BGI: -1.2, ISF: 54, CR: 10, Target: 100", ["predBGs"] = predBGs, ["timestamp"] = iso,
                },
                ["enacted"] = new Dictionary<string, object?>
                {
                    ["bg"] = 110, ["rate"] = 0.8, ["duration"] = 30, ["received"] = true, ["timestamp"] = iso,
                },
                ["iob"] = new { iob = 0.35, basaliob = 0.1, activity = 0.003, time = iso },
            },
            ["uploaderBattery"] = 80,
            ["isCharging"] = false,
        };
    }

    // Loop's device status (loop + pump + uploader); `ok` is when the loop last ran.
    private static Dictionary<string, object?> LoopStatus(DateTimeOffset uploaded, DateTimeOffset ok, double uploaderBattery, double[] predicted)
    {
        string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        return new Dictionary<string, object?>
        {
            ["device"] = "loop://iPhone",
            ["created_at"] = Iso(uploaded),
            ["uploader"] = new { name = "iPhone", battery = uploaderBattery, timestamp = Iso(uploaded) },
            ["pump"] = new { clock = Iso(uploaded), pumpID = "1234", manufacturer = "Insulet", model = "Dash", reservoir = 50, suspended = false, bolusing = false },
            ["loop"] = new Dictionary<string, object?>
            {
                ["name"] = "Loop",
                ["version"] = "3.2.3",
                ["timestamp"] = Iso(ok),
                ["iob"] = new { iob = 0.5, timestamp = Iso(ok) },
                ["cob"] = new { cob = 0, timestamp = Iso(ok) },
                ["predicted"] = new { startDate = Iso(ok), values = predicted },
                ["enacted"] = new { rate = 0.5, duration = 30, received = true, timestamp = Iso(ok) },
            },
        };
    }

    private Task<JsonElement> PostStatusAsync(string site, string secret, Dictionary<string, object?> status) =>
        _api.SendOkAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", new[] { status });

    private static JsonElement? Group(JsonElement alarms, string group) =>
        alarms.GetProperty("active").EnumerateArray().Where(a => a.GetProperty("group").GetString() == group).Select(a => (JsonElement?)a).FirstOrDefault();
}
