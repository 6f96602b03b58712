using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.OrefInterop;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// What changes as time passes, checked by moving the host's clock rather than by waiting:
/// JWTs expire, a loop's device status stops speaking for the current IOB, the IOB that
/// /api/v2/properties computes from treatments decays as time passes, a stale alarm's minutes grow,
/// and the properties' alarms (a copy the patient grain keeps) follow each change of the alarm state
/// and an acknowledgement running out.
/// </summary>
public sealed class ClockTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private MultiSiteApi _api = null!;

    public async Task InitializeAsync()
    {
        _api = MultiSiteApi.With(services => services.AddSingleton<TimeProvider>(_clock), []);
        await _api.InitializeAsync();
    }

    public Task DisposeAsync() => _api.DisposeAsync();

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task PostAsync(string site, string secret, string path, object body) =>
        Assert.Equal(200, (await _api.SendAsAdminAsync(site, secret, HttpMethod.Post, path, body)).Status);

    [Fact]
    public async Task AJwtExpiresAfterItsLifetime()
    {
        var (site, secret) = await _api.CreateSiteAsync("jwt", new { authDefaultRoles = new[] { "denied" } });
        var token = await _api.CreateSubjectAsync(site, secret, "phone", "readable");
        var jwt = await _api.JwtAsync(site, token);

        async Task<int> ReadAsync()
        {
            using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", jwt);
            return (await _api.SendAsync(request)).Status;
        }

        Assert.Equal(200, await ReadAsync());
        _clock.Advance(TimeSpan.FromHours(8) - TimeSpan.FromMinutes(1));
        Assert.Equal(200, await ReadAsync());
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(401, await ReadAsync());
        // The access token itself still works and gives a fresh JWT.
        Assert.Equal(200, (await _api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/entries.json?token={token}"))).Status);
    }

    [Fact]
    public async Task AStandingStaleAlarmShowsTheMinutesOfNowAfterTheAlarmGrainReloads()
    {
        var (site, secret) = await _api.CreateSiteAsync("stalemins", new { alarmTypes = new[] { "simple" } });
        Assert.Equal(200, (await _api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries",
            new { type = "sgv", sgv = 110, date = _clock.GetUtcNow().AddMinutes(-20).ToUnixTimeMilliseconds(), device = "cgm", direction = "Flat" })).Status);
        async Task<string?> StaleMessageAsync() =>
            (await _api.GetOkAsync(site, secret, "/api/v2/properties/alarms")).GetProperty("alarms").GetProperty("active").EnumerateArray()
                .Where(a => a.GetProperty("group").GetString() == "Time Ago").Select(a => a.GetProperty("message").GetString()).SingleOrDefault();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await StaleMessageAsync() is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal("Last received: 20 mins ago", await StaleMessageAsync());

        // Seven minutes later the alarm stands unchanged (a warning until 30 minutes): the state is not
        // written for its minutes alone, yet a reloaded alarm grain shows the minutes of now.
        _clock.Advance(TimeSpan.FromMinutes(7));
        var grains = (IGrainFactory)_api.Factory.Services.GetService(typeof(IGrainFactory))!;
        await GrainReload.DeactivateAsync(grains, grains.GetGrain<ISiteAlarmGrain>(SiteGrainKeys.For(site, "alarms")));
        Assert.Equal("Last received: 27 mins ago", await StaleMessageAsync());
    }

    [Fact]
    public async Task ALoopStatusOlderThanTenMinutesIsNotTheCurrentIob()
    {
        var (site, secret) = await _api.CreateSiteAsync("fresh");
        var now = _clock.GetUtcNow();
        Assert.Equal(200, (await _api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", new
        {
            device = "openaps://rig",
            created_at = now.AddMinutes(-2).ToString("o"),
            openaps = new { iob = new { iob = 2.5, activity = 0.01, timestamp = now.AddMinutes(-2).ToString("o") } },
        })).Status);

        var fresh = await _api.GetOkAsync(site, secret, "/api/v2/properties/iob");
        Assert.Equal(2.5, fresh.GetProperty("iob").GetProperty("iob").GetDouble());

        // Nine minutes later the status is eleven minutes old: the rig has gone quiet.
        _clock.Advance(TimeSpan.FromMinutes(9));
        var stale = await _api.GetOkAsync(site, secret, "/api/v2/properties/iob");
        Assert.False(stale.TryGetProperty("iob", out var iob) && iob.GetProperty("iob").GetDouble() == 2.5, stale.GetRawText());
    }

    [Fact]
    public async Task PropertiesShowANewTreatmentOrReadingAtOnceAndIobDecaysAsTimePasses()
    {
        var (site, secret) = await _api.CreateSiteAsync("decay");
        var now = _clock.GetUtcNow();

        // A 1 U/h profile with a DIA of 5 h, an hour of readings, and 3 U an hour ago: no loop, so oref computes iob.
        await PostAsync(site, secret, "/api/v1/profile", new
        {
            defaultProfile = "Default",
            startDate = Iso(now.AddDays(-10)),
            store = new Dictionary<string, object>
            {
                ["Default"] = new Dictionary<string, object>
                {
                    ["dia"] = 5, ["timezone"] = "UTC", ["units"] = "mg/dl",
                    ["basal"] = new[] { new { time = "00:00", value = 1.0 } },
                    ["sens"] = new[] { new { time = "00:00", value = 50 } },
                    ["carbratio"] = new[] { new { time = "00:00", value = 10 } },
                    ["target_low"] = new[] { new { time = "00:00", value = 100 } },
                    ["target_high"] = new[] { new { time = "00:00", value = 110 } },
                },
            },
        });
        await PostAsync(site, secret, "/api/v1/entries", Enumerable.Range(0, 12).Select(i => new { type = "sgv", date = now.AddMinutes(-1 - (5 * i)).ToUnixTimeMilliseconds(), sgv = 120, device = "cgm", direction = "Flat" }).ToArray());
        await PostAsync(site, secret, "/api/v1/treatments", new { eventType = "Correction Bolus", created_at = Iso(now.AddMinutes(-60)), insulin = 3.0 });

        double ExpectedIob(DateTimeOffset at, params (DateTimeOffset At, double Units)[] doses) =>
            OrefLibrary.CalculateIob(new IobRequest(new InsulinProfile(5, "rapid-acting"), doses.Select(d => new InsulinDose(d.At.ToUnixTimeMilliseconds(), d.Units)).ToList(), at.ToUnixTimeMilliseconds()))[0].Iob;
        async Task<(double Iob, double Bg)> ReadAsync()
        {
            var properties = await _api.GetOkAsync(site, secret, "/api/v2/properties/iob,bgnow");
            return (properties.GetProperty("iob").GetProperty("iob").GetDouble(), properties.GetProperty("bgnow").GetProperty("last").GetDouble());
        }

        var first = await ReadAsync();
        Assert.Equal(ExpectedIob(now, (now.AddMinutes(-60), 3.0)), first.Iob, 1);
        Assert.Equal(120, first.Bg);

        // A bolus and a reading just stored show in the very next answer (no cached answer outlives a change).
        var bolusAt = _clock.GetUtcNow();
        await PostAsync(site, secret, "/api/v1/treatments", new { eventType = "Correction Bolus", created_at = Iso(bolusAt), insulin = 2.0 });
        var afterBolus = await ReadAsync();
        Assert.Equal(ExpectedIob(bolusAt, (now.AddMinutes(-60), 3.0), (bolusAt, 2.0)), afterBolus.Iob, 1);
        Assert.True(afterBolus.Iob > first.Iob + 1.5, $"{first.Iob} then {afterBolus.Iob}");
        await PostAsync(site, secret, "/api/v1/entries", new { type = "sgv", date = _clock.GetUtcNow().ToUnixTimeMilliseconds(), sgv = 95, device = "cgm", direction = "Flat" });
        Assert.Equal(95, (await ReadAsync()).Bg);

        // Ninety minutes later (nothing stored meanwhile) the same treatments leave less insulin on board.
        _clock.Advance(TimeSpan.FromMinutes(90));
        var later = _clock.GetUtcNow();
        var decayed = await ReadAsync();
        Assert.Equal(ExpectedIob(later, (now.AddMinutes(-60), 3.0), (bolusAt, 2.0)), decayed.Iob, 1);
        Assert.True(decayed.Iob < afterBolus.Iob - 1, $"{afterBolus.Iob} then {decayed.Iob}");

        // A deleted treatment leaves at once.
        var (_, stored) = await _api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments.json?find[insulin]=2", null);
        var id = stored.EnumerateArray().Single().GetProperty("_id").GetString();
        Assert.Equal(200, (await _api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v1/treatments/{id}", null)).Status);
        Assert.Equal(ExpectedIob(_clock.GetUtcNow(), (now.AddMinutes(-60), 3.0)), (await ReadAsync()).Iob, 1);
    }

    [Fact]
    public async Task AKeptPropertiesAnswerIsWhatAFreshComputationGivesAsTheClockMoves()
    {
        var (site, secret) = await _api.CreateSiteAsync("kept");
        var now = _clock.GetUtcNow();

        // No profile: every part of the answer stands still between the instants the clock changes it.
        // An hour of readings and one dated two minutes ahead, a cannula changed 59.5 minutes ago
        // and a loop's status 9.5 minutes old (fresh for another 30 seconds).
        await PostAsync(site, secret, "/api/v1/entries", Enumerable.Range(0, 12).Select(i => new { type = "sgv", date = now.AddMinutes(-1 - (5 * i)).ToUnixTimeMilliseconds(), sgv = 120 + i, device = "cgm", direction = "Flat" })
            .Append(new { type = "sgv", date = now.AddMinutes(2).ToUnixTimeMilliseconds(), sgv = 90, device = "cgm", direction = "FortyFiveDown" }).ToArray());
        await PostAsync(site, secret, "/api/v1/treatments", new { eventType = "Site Change", created_at = Iso(now.AddSeconds(-3570)), notes = "arm" });
        await PostAsync(site, secret, "/api/v1/devicestatus", new
        {
            device = "openaps://rig",
            created_at = Iso(now.AddSeconds(-570)),
            openaps = new { iob = new { iob = 2.5, activity = 0.01, timestamp = Iso(now.AddSeconds(-570)) } },
        });

        // The whole answer kept since the first read, against one computed now (a list of names never asked before).
        var names = Nocturne.Grains.Properties.SiteProperties.Names.Concat(["iob", "cob", "alarms"]).ToList();
        var asked = 0;
        async Task<JsonElement> KeptAndFreshAsync()
        {
            var kept = await _api.GetOkAsync(site, secret, "/api/v2/properties");
            asked++;
            var fresh = await _api.GetOkAsync(site, secret, "/api/v2/properties/" + string.Join(',', names.Skip(asked).Concat(names.Take(asked))));
            Assert.Equal(fresh.GetRawText(), kept.GetRawText());
            return kept;
        }

        var first = await KeptAndFreshAsync();
        Assert.Equal(0, first.GetProperty("cage").GetProperty("age").GetInt32());
        Assert.Equal(2.5, first.GetProperty("iob").GetProperty("iob").GetDouble());
        Assert.Equal(120, first.GetProperty("bgnow").GetProperty("last").GetDouble());

        // 31 seconds on: the cannula is an hour old and the loop's status has gone stale.
        _clock.Advance(TimeSpan.FromSeconds(31));
        var later = await KeptAndFreshAsync();
        Assert.Equal(1, later.GetProperty("cage").GetProperty("age").GetInt32());
        Assert.False(later.TryGetProperty("iob", out _), later.GetRawText());

        // Two minutes on: the reading dated ahead is now the newest.
        _clock.Advance(TimeSpan.FromMinutes(2));
        var ahead = await KeptAndFreshAsync();
        Assert.Equal(90, ahead.GetProperty("bgnow").GetProperty("last").GetDouble());
        Assert.Equal("FortyFiveDown", ahead.GetProperty("direction").GetProperty("value").GetString());

        // A day on, only the reading dated ahead is left of the last 24 hours; five minutes later none is.
        _clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(3));
        var dayLater = await KeptAndFreshAsync();
        Assert.Equal(24, dayLater.GetProperty("cage").GetProperty("age").GetInt32());
        Assert.NotEqual(ahead.GetProperty("buckets").GetRawText(), dayLater.GetProperty("buckets").GetRawText());
        _clock.Advance(TimeSpan.FromMinutes(5));
        var empty = await KeptAndFreshAsync();
        Assert.Empty(empty.GetProperty("buckets").EnumerateArray());
    }

    private async Task<JsonElement> AlarmsAsync(string site, string secret) =>
        (await _api.GetOkAsync(site, secret, "/api/v2/properties")).GetProperty("alarms");

    private async Task AssertAsStatusShowsAsync(string site, string secret, JsonElement alarms)
    {
        var status = (await _api.GetOkAsync(site, secret, "/api/v1/status.json")).GetProperty("alarms");
        Assert.True(JsonElement.DeepEquals(status, alarms), $"properties: {alarms.GetRawText()}\nstatus.json: {status.GetRawText()}");
    }

    // The properties' alarms come from a copy the patient grain keeps, not from the alarm grain on each
    // read: at every step the answer shows what the alarm grain holds, as status.json does, the read
    // right after an acknowledgement included, and the end of an acknowledgement with nothing else happening.
    [Fact]
    public async Task ThePropertiesAlarmsFollowEveryChangeOfTheAlarmStateAtOnce()
    {
        var (site, secret) = await _api.CreateSiteAsync("propalarms", new
        {
            alarmTypes = new[] { "simple" },
            thresholds = new { bgHigh = 260, bgTargetTop = 180, bgTargetBottom = 80, bgLow = 55 },
        });

        // Read once so that the patient grain keeps the (empty) alarm state.
        var before = await AlarmsAsync(site, secret);
        Assert.Equal(0, before.GetProperty("level").GetInt32());
        Assert.Empty(before.GetProperty("active").EnumerateArray());

        // A low reading: evaluated after the upload's answer, so looked for until it shows.
        var readingMs = _clock.GetUtcNow().AddMinutes(-1).ToUnixTimeMilliseconds();
        Assert.Equal(200, (await _api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries",
            new { type = "sgv", sgv = 70, date = readingMs, device = "cgm", direction = "Flat" })).Status);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var low = await AlarmsAsync(site, secret);
        while (low.GetProperty("level").GetInt32() != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            low = await AlarmsAsync(site, secret);
        }

        Assert.Equal(1, low.GetProperty("level").GetInt32());
        Assert.Equal(readingMs, low.GetProperty("lastReading").GetInt64());
        Assert.Equal("Warning LOW", low.GetProperty("active")[0].GetProperty("title").GetString());
        await AssertAsStatusShowsAsync(site, secret, low);

        // Acknowledged for 5 s: the very next read shows it silenced, with no waiting.
        using (var ack = await _api.Client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/notifications/ack?level=1&group=default&time=5000", MultiSiteApi.Sha1(secret))))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, ack.StatusCode);
        }

        var acked = await AlarmsAsync(site, secret);
        Assert.Equal(0, acked.GetProperty("level").GetInt32());
        Assert.True(acked.GetProperty("active")[0].GetProperty("snoozed").GetBoolean());
        Assert.Equal(1, acked.GetProperty("snoozes").GetArrayLength());
        await AssertAsStatusShowsAsync(site, secret, acked);

        // The silence runs out with nothing else happening (no reading, no tick): the warning shows again.
        _clock.Advance(TimeSpan.FromSeconds(5.5));
        var again = await AlarmsAsync(site, secret);
        Assert.Equal(1, again.GetProperty("level").GetInt32());
        Assert.False(again.GetProperty("active")[0].GetProperty("snoozed").GetBoolean());
        Assert.Empty(again.GetProperty("snoozes").EnumerateArray());
        await AssertAsStatusShowsAsync(site, secret, again);

        // Back in range: cleared, as the alarm grain says.
        var inRangeMs = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal(200, (await _api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries",
            new { type = "sgv", sgv = 120, date = inRangeMs, device = "cgm", direction = "Flat" })).Status);
        deadline = DateTime.UtcNow.AddSeconds(30);
        var cleared = await AlarmsAsync(site, secret);
        while (cleared.GetProperty("lastReading").GetInt64() != inRangeMs && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            cleared = await AlarmsAsync(site, secret);
        }

        Assert.Equal(0, cleared.GetProperty("level").GetInt32());
        Assert.Empty(cleared.GetProperty("active").EnumerateArray());
        await AssertAsStatusShowsAsync(site, secret, cleared);
    }
}
