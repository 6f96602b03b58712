using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V2;

/// <summary>
/// The <c>alarms</c> of <c>/api/v2/properties</c> come from a copy the patient grain keeps, not from
/// the alarm grain on each read: at every step (a new reading, an acknowledgement, the
/// acknowledgement running out with nothing else happening) the answer shows what the alarm grain
/// holds, the same as <c>status.json</c>, the read right after an acknowledgement included.
/// </summary>
public sealed class PropertiesAlarmsTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private MultiSiteApi _api = null!;

    public async Task InitializeAsync()
    {
        _api = MultiSiteApi.With(services => services.AddSingleton<TimeProvider>(_clock), []);
        await _api.InitializeAsync();
    }

    public Task DisposeAsync() => _api.DisposeAsync();

    private async Task<JsonElement> AlarmsAsync(string site, string secret) =>
        (await _api.GetOkAsync(site, secret, "/api/v2/properties")).GetProperty("alarms");

    private async Task AssertAsStatusShowsAsync(string site, string secret, JsonElement alarms)
    {
        var status = (await _api.GetOkAsync(site, secret, "/api/v1/status.json")).GetProperty("alarms");
        Assert.True(JsonElement.DeepEquals(status, alarms), $"properties: {alarms.GetRawText()}\nstatus.json: {status.GetRawText()}");
    }

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
