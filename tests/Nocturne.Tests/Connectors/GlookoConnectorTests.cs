using System.Text.Json;

namespace Nocturne.Tests.Connectors;

/// <summary>A site's Glooko connector against a fake Glooko on loopback.</summary>
public sealed class GlookoConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private FakeGlooko Glooko => host.Glooko;

    private async Task<(string Site, string Secret, FakeGlooko.Account Account)> SiteWithAccountAsync()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("gl");
        return (site, secret, Glooko.AddAccount($"{Guid.NewGuid():N}"[..12] + "@example.com", $"pw-{Guid.NewGuid():N}"));
    }

    private static DateTime Wall(DateTimeOffset utc, TimeZoneInfo zone) => TimeZoneInfo.ConvertTimeFromUtc(utc.UtcDateTime, zone);

    private static void Add(FakeGlooko.Account account, string path, params System.Text.Json.Nodes.JsonObject[] records)
    {
        var list = account.Records.GetOrAdd(path, _ => []);
        lock (list)
        {
            list.AddRange(records);
        }
    }

    private static JsonElement Only(List<JsonElement> treatments, string eventType, Func<JsonElement, bool>? where = null) =>
        Assert.Single(treatments, t => t.GetProperty("eventType").GetString() == eventType && (where?.Invoke(t) ?? true));

    [Fact]
    public async Task PollsPagesThroughEveryEndpointAndTurnsLocalClockTimesIntoUtc()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-2);
        var (site, secret, account) = await SiteWithAccountAsync();
        // More readings than one page holds.
        var readings = Enumerable.Range(0, 600).Select(i => start.AddMinutes(5 * i)).Where(t => t < now).ToList();
        Add(account, "cgm/readings", [.. readings.Select((t, i) => Glooko.Record(Wall(t, zone), new { value = 10_000 + 100 * (i % 50), trend = "Flat" }))]);
        Add(account, "readings", Glooko.Record(Wall(now.AddHours(-3), zone), new { value = 11_000 }));
        var mealAt = now.AddHours(-4);
        Add(account, "pumps/normal_boluses",
            Glooko.Record(Wall(mealAt, zone), new { insulinDelivered = 4.2, carbsInput = 40, programmedUnits = 4.2 }),
            // Travelling: this record comes with its own UTC offset, which wins over the zone.
            Glooko.Record(default, new { pumpTimestamp = FakeGlooko.Wall(now.AddHours(-2).UtcDateTime.AddHours(-5)), pumpTimestampUtcOffset = "-05:00", insulinDelivered = 1.3, carbsInput = 0 }));
        Add(account, "pumps/temporary_basals", Glooko.Record(Wall(now.AddHours(-5), zone), new { rate = 0.5, duration = 1800, percent = 50 }));
        Add(account, "pumps/suspend_basals", Glooko.Record(Wall(now.AddHours(-6), zone), new { duration = 900, suspendReason = "manual" }));
        Add(account, "foods", Glooko.Record(Wall(now.AddHours(-1), zone), new { name = "Pasta", carbs = 30, fat = 10, protein = 5, calories = 250 }));

        var (status, body) = await host.ConfigureAsync(site, secret, "glooko", new { username = account.Email, password = account.Password, region = "eu", timeZone = "Europe/Berlin", backfillDays = 7, intervalSeconds = 2 });
        Assert.True(status == 200, body.ToString());
        Assert.Equal("Europe/Berlin", body.GetProperty("timeZone").GetString());
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.EntriesAsync(site, secret)).Count >= readings.Count + 1 && (await host.TreatmentsAsync(site, secret)).Count >= 5));

        var entries = await host.EntriesAsync(site, secret);
        var sgvs = entries.Where(e => e.GetProperty("type").GetString() == "sgv").ToList();
        Assert.Equal(readings.Select(t => t.ToUnixTimeMilliseconds()).Order(), sgvs.Select(e => e.GetProperty("date").GetInt64()).Order());
        Assert.Equal(100, sgvs.Single(e => e.GetProperty("date").GetInt64() == readings[0].ToUnixTimeMilliseconds()).GetProperty("sgv").GetInt32());
        Assert.Equal("Flat", sgvs[0].GetProperty("direction").GetString());
        Assert.Equal(110, Assert.Single(entries, e => e.GetProperty("type").GetString() == "mbg").GetProperty("mbg").GetInt32());
        Assert.True(Glooko.RequestsTo("/cgm/readings") >= 2, "the readings came in more than one page");

        var treatments = await host.TreatmentsAsync(site, secret);
        Assert.Equal(5, treatments.Count);
        var meal = Only(treatments, "Meal Bolus");
        Assert.Equal(4.2, meal.GetProperty("insulin").GetDouble());
        Assert.Equal(40, meal.GetProperty("carbs").GetDouble());
        Assert.Equal(mealAt.ToUnixTimeMilliseconds(), meal.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal((int)zone.GetUtcOffset(mealAt).TotalMinutes, meal.GetProperty("utcOffset").GetInt32());
        var correction = Only(treatments, "Correction Bolus");
        Assert.Equal(now.AddHours(-2).ToUnixTimeMilliseconds(), correction.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(-300, correction.GetProperty("utcOffset").GetInt32());
        var temp = Only(treatments, "Temp Basal", t => t.GetProperty("absolute").GetDouble() > 0);
        Assert.Equal(0.5, temp.GetProperty("absolute").GetDouble());
        Assert.Equal(30, temp.GetProperty("duration").GetDouble());
        var suspend = Only(treatments, "Temp Basal", t => t.GetProperty("absolute").GetDouble() == 0);
        Assert.Equal(15, suspend.GetProperty("duration").GetDouble());
        var food = Only(treatments, "Carb Correction");
        Assert.Equal(30, food.GetProperty("carbs").GetDouble());
        Assert.Equal(10, food.GetProperty("fat").GetDouble());
        Assert.Equal(5, food.GetProperty("protein").GetDouble());
        Assert.Equal(250, food.GetProperty("energy").GetDouble());
        Assert.Equal("Pasta", food.GetProperty("notes").GetString());

        await host.RemoveAsync(site, secret, "glooko");
    }

    [Fact]
    public async Task TimesAcrossADaylightSavingChangeLandOnTheRightInstants()
    {
        // A zone that changed its clocks within the backfill window, whatever today's date.
        var now = DateTimeOffset.UtcNow;
        var (zone, change) = new[] { "Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "Pacific/Auckland" }
            .Select(TimeZoneInfo.FindSystemTimeZoneById)
            .Select(z => (Zone: z, Change: Enumerable.Range(1, 170 * 24).Select(h => now.AddHours(-h)).FirstOrDefault(t => z.GetUtcOffset(t) != z.GetUtcOffset(t.AddHours(-1)))))
            .First(c => c.Change != default);
        // Outside the hour that a fall-back change repeats (UTC [change - 1 h, change + 1 h) reads the same on the clock).
        var before = change.AddMinutes(-150);
        var after = change.AddMinutes(90);
        var (site, secret, account) = await SiteWithAccountAsync();
        Add(account, "pumps/normal_boluses",
            Glooko.Record(Wall(before, zone), new { insulinDelivered = 1.0, carbsInput = 10 }),
            Glooko.Record(Wall(after, zone), new { insulinDelivered = 2.0, carbsInput = 20 }));
        await host.ConfigureAsync(site, secret, "glooko", new { username = account.Email, password = account.Password, timeZone = zone.Id, intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "glooko")).GetProperty("health").GetString());

        var treatments = await host.TreatmentsAsync(site, secret);
        var first = Only(treatments, "Meal Bolus", t => t.GetProperty("insulin").GetDouble() == 1.0);
        var second = Only(treatments, "Meal Bolus", t => t.GetProperty("insulin").GetDouble() == 2.0);
        Assert.Equal(before.ToUnixTimeMilliseconds(), first.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(after.ToUnixTimeMilliseconds(), second.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal((int)zone.GetUtcOffset(before).TotalMinutes, first.GetProperty("utcOffset").GetInt32());
        Assert.Equal((int)zone.GetUtcOffset(after).TotalMinutes, second.GetProperty("utcOffset").GetInt32());
        Assert.NotEqual(first.GetProperty("utcOffset").GetInt32(), second.GetProperty("utcOffset").GetInt32());
    }

    [Fact]
    public async Task ResyncsChangeNothingAndEditsAndDeletionsInGlookoAreFollowed()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var now = DateTimeOffset.UtcNow;
        var (site, secret, account) = await SiteWithAccountAsync();
        var bolus = Glooko.Record(Wall(now.AddHours(-2), zone), new { insulinDelivered = 3.0, carbsInput = 30 });
        var deleted = Glooko.Record(Wall(now.AddHours(-1), zone), new { name = "Apple", carbs = 15 });
        var removed = Glooko.Record(Wall(now.AddMinutes(-50), zone), new { name = "Bread", carbs = 25 });
        Add(account, "pumps/normal_boluses", bolus);
        Add(account, "foods", deleted, removed);
        Add(account, "cgm/readings", Glooko.Record(Wall(now.AddMinutes(-5), zone), new { value = 14_000 }));
        await host.ConfigureAsync(site, secret, "glooko", new { username = account.Email, password = account.Password, timeZone = zone.Id, intervalSeconds = 3600 });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => host.SyncAsync(site, secret, "glooko", full: i % 2 == 1)));
        Assert.Equal(3, (await host.TreatmentsAsync(site, secret)).Count);
        var modified = (await host.HistoryAsync(site, secret, "treatments", 0)).Max(t => t.GetProperty("srvModified").GetInt64());
        await host.SyncAsync(site, secret, "glooko", full: true);
        await host.SyncAsync(site, secret, "glooko");
        Assert.Empty(await host.HistoryAsync(site, secret, "treatments", modified));
        Assert.Single(await host.EntriesAsync(site, secret));

        // In the app: the bolus's carbs corrected, the apple deleted (soft), the bread gone altogether.
        bolus["carbsInput"] = 45;
        Glooko.Touch(bolus);
        deleted["softDeleted"] = true;
        Glooko.Touch(deleted);
        lock (account.Records["foods"])
        {
            account.Records["foods"].Remove(removed);
        }

        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "glooko")).GetProperty("health").GetString());
        var treatment = Assert.Single(await host.TreatmentsAsync(site, secret));
        Assert.Equal(45, treatment.GetProperty("carbs").GetDouble());
        var changes = await host.HistoryAsync(site, secret, "treatments", modified);
        Assert.Equal(3, changes.Count);
        Assert.Equal(2, changes.Count(ConnectorHost.IsDeleted));
    }

    [Fact]
    public async Task FaultsAreRetriedBackedOffOrStopPollingAsTheyShould()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var now = DateTimeOffset.UtcNow;
        var (site, secret, account) = await SiteWithAccountAsync();
        Add(account, "cgm/readings", Glooko.Record(Wall(now.AddMinutes(-10), zone), new { value = 15_000 }));

        var (missing, body) = await host.ConfigureAsync(site, secret, "glooko", new { username = account.Email, password = account.Password });
        Assert.Equal(400, missing);
        Assert.Contains("timeZone", body.GetProperty("description").GetString());

        await host.ConfigureAsync(site, secret, "glooko", new { username = account.Email, password = "wrong", timeZone = zone.Id, intervalSeconds = 1 });
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "glooko")).GetProperty("health").GetString() == "paused"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, Glooko.FailedLogins.GetValueOrDefault(account.Email));

        await host.ConfigureAsync(site, secret, "glooko", new { username = account.Email, password = account.Password, timeZone = zone.Id, intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "glooko")).GetProperty("health").GetString());
        var logins = Glooko.Logins.GetValueOrDefault(account.Email);

        Glooko.ExpireSessions();
        Add(account, "cgm/readings", Glooko.Record(Wall(now.AddMinutes(-5), zone), new { value = 16_000 }));
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "glooko")).GetProperty("health").GetString());
        Assert.Equal(logins + 1, Glooko.Logins.GetValueOrDefault(account.Email));
        Assert.Equal(2, (await host.EntriesAsync(site, secret)).Count);

        await host.AssertTransientFaultsAsync(Glooko, site, secret, "glooko", "/cgm/readings");
    }
}
