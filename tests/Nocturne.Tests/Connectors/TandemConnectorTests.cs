using System.Text.Json;

namespace Nocturne.Tests.Connectors;

/// <summary>A site's Tandem Source connector against a fake Tandem Source on loopback.</summary>
public sealed class TandemConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private static readonly TimeZoneInfo Chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");

    private FakeTandem Tandem => host.Tandem;

    private static DateTimeOffset Minute(DateTimeOffset at) => new(at.UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static DateTime Wall(DateTimeOffset utc) => TimeZoneInfo.ConvertTimeFromUtc(utc.UtcDateTime, Chicago);

    private async Task<(string Site, string Secret, FakeTandem.Account Account)> SiteWithAccountAsync()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("td");
        return (site, secret, Tandem.AddAccount($"{Guid.NewGuid():N}"[..12] + "@example.com", $"pw-{Guid.NewGuid():N}"));
    }

    private void Add(FakeTandem.Account account, int code, DateTimeOffset at, object? properties = null)
    {
        lock (account.Events)
        {
            account.Events.Add(Tandem.Event(code, Wall(at), properties));
        }
    }

    private static JsonElement Only(List<JsonElement> treatments, string eventType, Func<JsonElement, bool>? where = null) =>
        Assert.Single(treatments, t => t.GetProperty("eventType").GetString() == eventType && (where?.Invoke(t) ?? true));

    private static long Ms(JsonElement treatment) => treatment.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds();

    [Fact]
    public async Task PollsAndMapsThePumpLogWithLocalTimes()
    {
        var now = Minute(DateTimeOffset.UtcNow);
        var (site, secret, account) = await SiteWithAccountAsync();
        Add(account, 256, now.AddMinutes(-15), new { currentGlucoseDisplayValue = 110, glucoseValueStatus = 0 });
        Add(account, 399, now.AddMinutes(-10), new { currentGlucoseDisplayValue = 115 });
        Add(account, 256, now.AddMinutes(-5), new { currentGlucoseDisplayValue = 120 });
        Add(account, 16, now.AddMinutes(-60), new { bg = 105 });
        var meal = now.AddHours(-3);
        Add(account, 64, meal, new { bolusId = 7, carbAmount = 40, bg = 150 });
        Add(account, 20, meal.AddSeconds(30), new { bolusId = 7, insulinDelivered = 4.0, insulinRequested = 4.0, completionStatus = 3 });
        Add(account, 20, now.AddHours(-2), new { bolusId = 8, insulinDelivered = 1.5, insulinRequested = 2.0, completionStatus = 0 });
        var ciq = now.AddHours(-6);
        Add(account, 3, ciq, new { commandedBasalRate = 1.2, baseBasalRate = 0.8, changeType = Array.Empty<int>() });
        Add(account, 3, ciq.AddMinutes(20), new { commandedBasalRate = 0.8, baseBasalRate = 0.8, changeType = new[] { 0 } });
        var userTemp = now.AddHours(-5);
        Add(account, 3, userTemp, new { commandedBasalRate = 0.4, baseBasalRate = 0.8, changeType = new[] { 2 } });
        Add(account, 11, userTemp.AddMinutes(10), new { suspendReason = 0 });
        Add(account, 12, userTemp.AddMinutes(40));
        Add(account, 33, now.AddHours(-8), new { insulinVolume = 200 });
        Add(account, 61, now.AddHours(-8).AddMinutes(5), new { primeSize = 0.3 });
        var sleep = now.AddHours(-16);
        Add(account, 229, sleep, new { currentUserMode = 1, previousUserMode = 0 });
        Add(account, 229, sleep.AddHours(7), new { currentUserMode = 0, previousUserMode = 1 });
        var exercise = now.AddMinutes(-30);
        Add(account, 229, exercise, new { currentUserMode = 2, previousUserMode = 0 });

        var (status, body) = await host.ConfigureAsync(site, secret, "tandem", new { username = account.Email, password = account.Password, timeZone = "America/Chicago", intervalSeconds = 2 });
        Assert.True(status == 200, body.ToString());
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.TreatmentsAsync(site, secret)).Count >= 9));

        var entries = await host.EntriesAsync(site, secret);
        Assert.Equal([110, 115, 120], entries.Where(e => e.GetProperty("type").GetString() == "sgv").OrderBy(e => e.GetProperty("date").GetInt64()).Select(e => e.GetProperty("sgv").GetInt32()));
        Assert.Equal(now.AddMinutes(-5).ToUnixTimeMilliseconds(), entries.Max(e => e.GetProperty("date").GetInt64()));
        Assert.Equal(105, Assert.Single(entries, e => e.GetProperty("type").GetString() == "mbg").GetProperty("mbg").GetInt32());

        var treatments = await host.TreatmentsAsync(site, secret);
        Assert.Equal(9, treatments.Count);
        var mealBolus = Only(treatments, "Meal Bolus");
        Assert.Equal(4.0, mealBolus.GetProperty("insulin").GetDouble());
        Assert.Equal(40, mealBolus.GetProperty("carbs").GetDouble());
        Assert.Equal(meal.AddSeconds(30).ToUnixTimeMilliseconds(), Ms(mealBolus));
        Assert.Equal((int)Chicago.GetUtcOffset(meal).TotalMinutes, mealBolus.GetProperty("utcOffset").GetInt32());
        var partial = Only(treatments, "Correction Bolus");
        Assert.Equal(1.5, partial.GetProperty("insulin").GetDouble());
        Assert.Contains("not completed", partial.GetProperty("notes").GetString());
        var auto = Only(treatments, "Temp Basal", t => t.GetProperty("reason").GetString() == "Control-IQ");
        Assert.Equal(1.2, auto.GetProperty("absolute").GetDouble());
        Assert.Equal(20, auto.GetProperty("duration").GetDouble());
        Assert.Equal(ciq.ToUnixTimeMilliseconds(), Ms(auto));
        var temp = Only(treatments, "Temp Basal", t => t.GetProperty("reason").GetString() == "temp rate");
        Assert.Equal(0.4, temp.GetProperty("absolute").GetDouble());
        Assert.Equal(10, temp.GetProperty("duration").GetDouble());
        var suspend = Only(treatments, "Temp Basal", t => t.GetProperty("reason").GetString() == "suspend");
        Assert.Equal(0, suspend.GetProperty("absolute").GetDouble());
        Assert.Equal(30, suspend.GetProperty("duration").GetDouble());
        Assert.Equal("200 U", Only(treatments, "Insulin Change").GetProperty("notes").GetString());
        Only(treatments, "Site Change");
        var sleeping = Only(treatments, "Temporary Override", t => t.GetProperty("reason").GetString() == "Sleep");
        Assert.Equal(420, sleeping.GetProperty("duration").GetDouble());
        Assert.Equal(sleep.ToUnixTimeMilliseconds(), Ms(sleeping));
        var exercising = Only(treatments, "Temporary Override", t => t.GetProperty("reason").GetString() == "Exercise");
        Assert.InRange(exercising.GetProperty("duration").GetDouble(), 29, 40);

        await host.RemoveAsync(site, secret, "tandem");
    }

    [Fact]
    public async Task ReSyncsDoNotDuplicateAndAnOpenActivityGrowsInPlace()
    {
        var now = Minute(DateTimeOffset.UtcNow);
        var (site, secret, account) = await SiteWithAccountAsync();
        Add(account, 256, now.AddMinutes(-10), new { currentGlucoseDisplayValue = 130 });
        Add(account, 20, now.AddHours(-1), new { bolusId = 1, insulinDelivered = 2.0, completionStatus = 3 });
        await host.ConfigureAsync(site, secret, "tandem", new { username = account.Email, password = account.Password, region = "eu", timeZone = "America/Chicago", intervalSeconds = 3600 });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => host.SyncAsync(site, secret, "tandem", full: i % 2 == 0)));
        Assert.Single(await host.TreatmentsAsync(site, secret));
        var modified = (await host.HistoryAsync(site, secret, "treatments", 0)).Max(t => t.GetProperty("srvModified").GetInt64());
        await host.SyncAsync(site, secret, "tandem", full: true);
        Assert.Empty(await host.HistoryAsync(site, secret, "treatments", modified));
        Assert.Single(await host.EntriesAsync(site, secret));

        // Exercise started and is still on: written up to now; when it ends, the same document gets its real length.
        Add(account, 229, now.AddMinutes(-30), new { currentUserMode = 2 });
        await host.SyncAsync(site, secret, "tandem");
        var first = Only(await host.TreatmentsAsync(site, secret), "Temporary Override");
        Assert.True(first.GetProperty("duration").GetDouble() >= 29);
        Add(account, 229, now.AddMinutes(-5), new { currentUserMode = 0 });
        await host.SyncAsync(site, secret, "tandem");
        var treatments = await host.TreatmentsAsync(site, secret);
        Assert.Equal(2, treatments.Count);
        var ended = Only(treatments, "Temporary Override");
        Assert.Equal(first.GetProperty("identifier").GetString(), ended.GetProperty("identifier").GetString());
        Assert.Equal(25, ended.GetProperty("duration").GetDouble());
    }

    [Fact]
    public async Task FaultsAreRetriedBackedOffOrStopPollingAsTheyShould()
    {
        var now = Minute(DateTimeOffset.UtcNow);
        var (site, secret, account) = await SiteWithAccountAsync();
        Add(account, 256, now.AddMinutes(-10), new { currentGlucoseDisplayValue = 140 });

        var (missing, body) = await host.ConfigureAsync(site, secret, "tandem", new { username = account.Email, password = account.Password });
        Assert.Equal(400, missing);
        Assert.Contains("timeZone", body.GetProperty("description").GetString());

        await host.ConfigureAsync(site, secret, "tandem", new { username = account.Email, password = "wrong", timeZone = "America/Chicago", intervalSeconds = 1 });
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "tandem")).GetProperty("health").GetString() == "paused"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, account.FailedLogins);

        await host.ConfigureAsync(site, secret, "tandem", new { username = account.Email, password = account.Password, timeZone = "America/Chicago", intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "tandem")).GetProperty("health").GetString());
        var logins = account.Logins;

        Tandem.ExpireTokens();
        Add(account, 256, now.AddMinutes(-5), new { currentGlucoseDisplayValue = 145 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "tandem")).GetProperty("health").GetString());
        Assert.Equal(logins + 1, account.Logins);
        Assert.Equal(2, (await host.EntriesAsync(site, secret)).Count);

        await host.AssertTransientFaultsAsync(Tandem, site, secret, "tandem", $"/pump-logs/{account.AssignmentId}");
        Assert.Equal(2, (await host.EntriesAsync(site, secret)).Count);
    }
}
