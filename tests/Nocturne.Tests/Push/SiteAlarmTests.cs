using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Push;

/// <summary>
/// Alarms as a follower hears them (SignalR) and as the REST views show them: thresholds from the
/// site's settings, acknowledgements (which outlive a restart of the alarm grain), a worse level
/// re-alarming, stale data found by the reminder with no upload at all (heard also by a follower who
/// connects after the alarm began), and an alarm cleared after the alarm grain reloads.
/// </summary>
public sealed class SiteAlarmTests : IClassFixture<MultiSiteApi>
{
    private static readonly object SimpleAlarms = new
    {
        alarmTypes = new[] { "simple" },
        thresholds = new { bgHigh = 260, bgTargetTop = 180, bgTargetBottom = 80, bgLow = 55 },
    };

    private readonly MultiSiteApi _host;
    private readonly SiteApi _api;

    public SiteAlarmTests(MultiSiteApi host)
    {
        _host = host;
        _api = new SiteApi(host.Client);
    }

    [Fact]
    public async Task ALowWarnsAnUrgentLowReAlarmsAfterTheWarningWasAckedAndAnAckOutlivesARestart()
    {
        var (site, secret) = await _api.CreateSiteAsync("alarm", SimpleAlarms);
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await _api.PostEntryAsync(site, secret, 70, now - 60_000);
        var low = await follower.NextAsync("alarm");
        Assert.Equal("Warning LOW", low.GetProperty("title").GetString());
        Assert.Equal(1, low.GetProperty("level").GetInt32());
        Assert.Equal("default", low.GetProperty("group").GetString());
        Assert.Equal(1, (await _api.AlarmsAsync(site, secret)).GetProperty("level").GetInt32());

        // Acknowledged through the REST route every follower's app uses.
        await _api.SendOkAsync(site, secret, HttpMethod.Get, "/api/v1/notifications/ack?level=1&group=default&time=600000");
        var clear = await follower.NextAsync("clear_alarm");
        Assert.Equal("default - Warning was ack'd", clear.GetProperty("message").GetString());

        // A worse level is not covered by the warning's ack.
        await _api.PostEntryAsync(site, secret, 45, now);
        var urgent = await follower.NextAsync("urgent_alarm");
        Assert.Equal("Urgent LOW", urgent.GetProperty("title").GetString());
        Assert.Contains("BG Now: 45", urgent.GetProperty("message").GetString(), StringComparison.Ordinal);

        await _api.SendOkAsync(site, secret, HttpMethod.Get, "/api/v1/notifications/ack?level=2&group=default&time=600000");
        await follower.NextAsync("clear_alarm", c => c.GetProperty("message").GetString() == "default - Urgent was ack'd");

        // The ack is in PostgreSQL: after the alarm grain is reloaded, a new urgent low stays silent.
        var grains = (IGrainFactory)_host.Factory.Services.GetService(typeof(IGrainFactory))!;
        await GrainReload.DeactivateAsync(grains, grains.GetGrain<ISiteAlarmGrain>(SiteGrainKeys.For(site, "alarms")));
        await _api.PostEntryAsync(site, secret, 44, now + 1000);
        var alarms = await _api.AlarmsWhenAsync(site, secret, a => a.GetProperty("lastReading").GetInt64() == now + 1000);
        Assert.Equal(0, alarms.GetProperty("level").GetInt32());
        var active = alarms.GetProperty("active").EnumerateArray().Single();
        Assert.Equal("Urgent LOW", active.GetProperty("title").GetString());
        Assert.True(active.GetProperty("snoozed").GetBoolean());
        Assert.Contains(alarms.GetProperty("snoozes").EnumerateArray(), s => s.GetProperty("level").GetInt32() == 2);
        await follower.NextAsync("dataUpdate", p => HubFollower.HasSgv(p, 44));
        Assert.DoesNotContain(follower.Pending(), e => e.Name == "urgent_alarm");

        // status.json shows the same state.
        var status = await _api.SendOkAsync(site, secret, HttpMethod.Get, "/api/v1/status.json");
        Assert.Equal("Urgent LOW", status.GetProperty("alarms").GetProperty("active")[0].GetProperty("title").GetString());

        // Back in range: nothing alarms any more.
        await _api.PostEntryAsync(site, secret, 120, now + 2000);
        Assert.Empty((await _api.AlarmsWhenAsync(site, secret, a => a.GetProperty("active").GetArrayLength() == 0)).GetProperty("active").EnumerateArray());
    }

    [Fact]
    public async Task AnAlarmThatWasNotAckedIsClearedWhenTheReadingIsBackInRange()
    {
        var (site, secret) = await _api.CreateSiteAsync("autoack", SimpleAlarms);
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await _api.PostEntryAsync(site, secret, 270, now - 5000);
        Assert.Equal("Urgent HIGH", (await follower.NextAsync("urgent_alarm")).GetProperty("title").GetString());

        // The reference's auto-ack: a clear for the group, and a 1 ms silence, so the next high alarms at once.
        await _api.PostEntryAsync(site, secret, 150, now - 4000);
        await follower.NextAsync("clear_alarm", c => c.GetProperty("message").GetString() == "Auto ack'd alarm(s)");
        await _api.PostEntryAsync(site, secret, 200, now);
        Assert.Equal("Warning HIGH", (await follower.NextAsync("alarm")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task NewThresholdsApplyFromTheNextReading()
    {
        var (site, secret) = await _api.CreateSiteAsync("rethreshold", SimpleAlarms);
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await _api.PostEntryAsync(site, secret, 200, now - 5000);
        Assert.Equal("Warning HIGH", (await follower.NextAsync("alarm")).GetProperty("title").GetString());

        // The site's high moves above the reading: the next reading at the same value is in range.
        var access = _host.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<ISiteAccessGrain>(site);
        var settings = (await access.GetSettingsAsync())!;
        Assert.True(await access.ConfigureSettingsAsync(settings with { Thresholds = settings.Thresholds with { BgTargetTop = 220 } }));
        await _api.PostEntryAsync(site, secret, 200, now);
        await follower.NextAsync("clear_alarm", c => c.GetProperty("message").GetString() == "Auto ack'd alarm(s)");
        Assert.Equal(0, (await _api.AlarmsAsync(site, secret)).GetProperty("active").GetArrayLength());
    }

    [Fact]
    public async Task StaleDataAlarmsFromTheReminderWithNoUploadAndClearsOnTheNextReading()
    {
        var (site, secret) = await _api.CreateSiteAsync("stale", SimpleAlarms);
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));

        // In range, and 14 min 55 s old: nothing alarms at upload; 15 minutes pass five seconds later.
        await _api.PostEntryAsync(site, secret, 110, DateTimeOffset.UtcNow.AddMinutes(-15).AddSeconds(5).ToUnixTimeMilliseconds());
        await follower.NextAsync("dataUpdate");
        var stale = await follower.NextAsync("alarm", seconds: 60);
        Assert.Equal("Stale data, check rig?", stale.GetProperty("title").GetString());
        Assert.Equal("Time Ago", stale.GetProperty("group").GetString());

        await _api.PostEntryAsync(site, secret, 112, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var clear = await follower.NextAsync("clear_alarm");
        Assert.Equal("Time Ago", clear.GetProperty("group").GetString());
    }

    [Fact]
    public async Task AStaleAlarmOfASiteNobodyFollowsIsHeardByAFollowerWhoConnectsLater()
    {
        var (site, secret) = await _api.CreateSiteAsync("unwatched", SimpleAlarms);

        // Stale on arrival with nobody following: the alarm stands (the views show it), heard by no one.
        await _api.PostEntryAsync(site, secret, 110, DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeMilliseconds());
        var alarms = await _api.AlarmsWhenAsync(site, secret, a => a.GetProperty("active").GetArrayLength() > 0);
        Assert.Equal("Stale data, check rig?", alarms.GetProperty("active")[0].GetProperty("title").GetString());
        Assert.Equal(1, alarms.GetProperty("level").GetInt32());

        // A follower who connects afterwards hears it on the minute tick, with no upload.
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var stale = await follower.NextAsync("alarm", seconds: 75);
        Assert.Equal("Stale data, check rig?", stale.GetProperty("title").GetString());
        Assert.Equal("Time Ago", stale.GetProperty("group").GetString());
    }

    [Fact]
    public async Task AnAlarmThatSoundedBeforeTheAlarmGrainReloadsIsStillClearedWhenTheReadingIsBackInRange()
    {
        var (site, secret) = await _api.CreateSiteAsync("reloadclear", SimpleAlarms);
        await using var follower = await HubFollower.ConnectAsync(_host.Factory, site, await _api.TokenAsync(site, secret, "readable"));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await _api.PostEntryAsync(site, secret, 270, now - 5000);
        Assert.Equal("Urgent HIGH", (await follower.NextAsync("urgent_alarm")).GetProperty("title").GetString());

        var grains = (IGrainFactory)_host.Factory.Services.GetService(typeof(IGrainFactory))!;
        await GrainReload.DeactivateAsync(grains, grains.GetGrain<ISiteAlarmGrain>(SiteGrainKeys.For(site, "alarms")));
        await _api.PostEntryAsync(site, secret, 150, now);
        var clear = await follower.NextAsync("clear_alarm");
        Assert.Equal("Auto ack'd alarm(s)", clear.GetProperty("message").GetString());
        Assert.Equal("default", clear.GetProperty("group").GetString());
    }

    [Fact]
    public async Task AReadingSecondsAfterAnotherIsStillTheLastReadingAfterTheAlarmGrainReloads()
    {
        var (site, secret) = await _api.CreateSiteAsync("spacing", SimpleAlarms);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await _api.PostEntryAsync(site, secret, 120, now - 2000);
        await _api.PostEntryAsync(site, secret, 121, now - 1000);
        await _api.AlarmsWhenAsync(site, secret, a => a.GetProperty("lastReading").GetInt64() == now - 1000);

        // The second reading's write waits for the alarm grain's write spacing; a reload before then must not lose it.
        var grains = (IGrainFactory)_host.Factory.Services.GetService(typeof(IGrainFactory))!;
        await GrainReload.DeactivateAsync(grains, grains.GetGrain<ISiteAlarmGrain>(SiteGrainKeys.For(site, "alarms")));
        Assert.Equal(now - 1000, (await _api.AlarmsAsync(site, secret)).GetProperty("lastReading").GetInt64());
    }

    [Fact]
    public async Task AckNeedsTheAckPermissionAndAValidLevel()
    {
        var (site, secret) = await _api.CreateSiteAsync("ackperm", new { authDefaultRoles = new[] { "readable" } });
        var (status, body) = await _host.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/notifications/ack?level=2"));
        Assert.Equal(401, status);
        Assert.Equal(401, body.GetProperty("status").GetInt32());
        (status, body) = await _host.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/notifications/ack?level=7");
        Assert.Equal(400, status);

        var notifies = await _api.SendOkAsync(site, secret, HttpMethod.Get, "/api/v1/adminnotifies");
        Assert.Equal(1, notifies.GetProperty("message").GetProperty("notifyCount").GetInt32());
        Assert.Equal("Nightscout readable by world", notifies.GetProperty("message").GetProperty("notifies")[0].GetProperty("title").GetString());
        (status, body) = await _host.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/adminnotifies"));
        Assert.Equal(200, status);
        Assert.Equal(1, body.GetProperty("message").GetProperty("notifyCount").GetInt32());
        Assert.Equal(0, body.GetProperty("message").GetProperty("notifies").GetArrayLength());
    }
}
