using System.Globalization;
using System.Text.Json;

namespace Nocturne.Tests.Connectors;

/// <summary>A site's MyFitnessPal connector against a fake MyFitnessPal on loopback.</summary>
public sealed class MyFitnessPalConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private FakeMyFitnessPal Mfp => host.MyFitnessPal;

    private static DateTime Today => TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, Berlin).Date;

    private static string Day(int daysAgo) => Today.AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static long LocalMs(int daysAgo, int hour, int minute)
    {
        var wall = Today.AddDays(-daysAgo).Add(new TimeSpan(hour, minute, 0));
        return new DateTimeOffset(wall, Berlin.GetUtcOffset(wall)).ToUnixTimeMilliseconds();
    }

    private async Task<(string Site, string Secret, FakeMyFitnessPal.Account Account)> SiteWithAccountAsync()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("mfp");
        return (site, secret, Mfp.AddAccount($"user{Guid.NewGuid():N}"[..14], $"pw-{Guid.NewGuid():N}"));
    }

    private static JsonElement Meal(List<JsonElement> treatments, string name) =>
        Assert.Single(treatments, t => t.GetProperty("mealName").GetString() == name);

    [Fact]
    public async Task PollsTheLastWeekAndWritesOneTreatmentPerMeal()
    {
        var (site, secret, account) = await SiteWithAccountAsync();
        account.Diary[Day(1)] = [FakeMyFitnessPal.Food("Breakfast", "Oats", 30, 5, 10, 250), FakeMyFitnessPal.Food("Breakfast", "Banana", 20, 3, 2, 150)];
        account.Diary[Day(2)] = [FakeMyFitnessPal.Food("Lunch", "Pasta", 60, 12, 18, 2092, "kilojoules")];
        account.Diary[Day(6)] = [FakeMyFitnessPal.Food("Dinner", "Soup", 15, 4, 6, 180)];
        account.Diary[Day(9)] = [FakeMyFitnessPal.Food("Dinner", "Too old", 99, 9, 9, 999)];

        var (status, body) = await host.ConfigureAsync(site, secret, "myfitnesspal", new { username = account.Username, password = account.Password, timeZone = "Europe/Berlin" });
        Assert.True(status == 200, body.ToString());
        // Every 15 minutes by default, a week back.
        Assert.Equal(900, body.GetProperty("intervalSeconds").GetInt32());
        Assert.Equal(7, body.GetProperty("backfillDays").GetInt32());
        await host.ConfigureAsync(site, secret, "myfitnesspal", new { username = account.Username, timeZone = "Europe/Berlin", intervalSeconds = 2 });
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.TreatmentsAsync(site, secret)).Count >= 3));

        var treatments = await host.TreatmentsAsync(site, secret);
        Assert.Equal(3, treatments.Count);
        Assert.All(treatments, t => Assert.Equal("Meal", t.GetProperty("eventType").GetString()));
        var breakfast = Meal(treatments, "Breakfast");
        Assert.Equal(50, breakfast.GetProperty("carbs").GetDouble());
        Assert.Equal(8, breakfast.GetProperty("fat").GetDouble());
        Assert.Equal(12, breakfast.GetProperty("protein").GetDouble());
        Assert.Equal(400, breakfast.GetProperty("energy").GetDouble());
        Assert.Equal("Oats, Banana", breakfast.GetProperty("notes").GetString());
        Assert.Equal(LocalMs(1, 8, 0), breakfast.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal((int)Berlin.GetUtcOffset(Today.AddDays(-1)).TotalMinutes, breakfast.GetProperty("utcOffset").GetInt32());
        var lunch = Meal(treatments, "Lunch");
        Assert.Equal(500, lunch.GetProperty("energy").GetDouble());
        Assert.Equal(LocalMs(2, 12, 30), lunch.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(LocalMs(6, 18, 30), Meal(treatments, "Dinner").GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.DoesNotContain(Day(9), account.DaysRead);

        await host.RemoveAsync(site, secret, "myfitnesspal");
    }

    [Fact]
    public async Task EditsAndDeletionsInTheDiaryUpdateOrRemoveTheMeal()
    {
        var (site, secret, account) = await SiteWithAccountAsync();
        var banana = FakeMyFitnessPal.Food("Breakfast", "Banana", 20, 3, 2, 150);
        account.Diary[Day(1)] = [FakeMyFitnessPal.Food("Breakfast", "Oats", 30, 5, 10, 250), banana, FakeMyFitnessPal.Food("Dinner", "Soup", 15, 4, 6, 180)];
        account.Diary[Day(3)] = [FakeMyFitnessPal.Food("Lunch", "Salad", 10, 8, 5, 150)];
        await host.ConfigureAsync(site, secret, "myfitnesspal", new { username = account.Username, password = account.Password, timeZone = "Europe/Berlin", intervalSeconds = 3600 });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => host.SyncAsync(site, secret, "myfitnesspal", full: i % 2 == 0)));
        Assert.Equal(3, (await host.TreatmentsAsync(site, secret)).Count);
        var stored = await host.HistoryAsync(site, secret, "treatments", 0);
        var modified = stored.Max(t => t.GetProperty("srvModified").GetInt64());
        await host.SyncAsync(site, secret, "myfitnesspal");
        await host.SyncAsync(site, secret, "myfitnesspal", full: true);
        Assert.Empty(await host.HistoryAsync(site, secret, "treatments", modified));

        // In the app: the banana removed from breakfast, the whole lunch deleted.
        lock (account.Diary[Day(1)])
        {
            account.Diary[Day(1)].Remove(banana);
        }

        account.Diary[Day(3)].Clear();
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "myfitnesspal")).GetProperty("health").GetString());
        var treatments = await host.TreatmentsAsync(site, secret);
        Assert.Equal(2, treatments.Count);
        Assert.Equal(30, Meal(treatments, "Breakfast").GetProperty("carbs").GetDouble());
        var lunchIdentifier = stored.Single(t => t.GetProperty("mealName").GetString() == "Lunch").GetProperty("identifier").GetString();
        var changes = await host.HistoryAsync(site, secret, "treatments", modified);
        Assert.Equal(2, changes.Count);
        Assert.Contains(changes, c => ConnectorHost.IsDeleted(c) && c.GetProperty("identifier").GetString() == lunchIdentifier);
    }

    [Fact]
    public async Task FaultsAreRetriedBackedOffOrStopPollingAsTheyShould()
    {
        var (site, secret, account) = await SiteWithAccountAsync();
        account.Diary[Day(1)] = [FakeMyFitnessPal.Food("Lunch", "Rice", 45, 1, 4, 200)];

        await host.ConfigureAsync(site, secret, "myfitnesspal", new { username = account.Username, password = "wrong", timeZone = "Europe/Berlin", intervalSeconds = 1 });
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "myfitnesspal")).GetProperty("health").GetString() == "paused"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, account.FailedLogins);

        await host.ConfigureAsync(site, secret, "myfitnesspal", new { username = account.Username, password = account.Password, timeZone = "Europe/Berlin", intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "myfitnesspal")).GetProperty("health").GetString());
        var logins = account.Logins;
        Mfp.ExpireTokens();
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "myfitnesspal")).GetProperty("health").GetString());
        Assert.Equal(logins + 1, account.Logins);

        await host.AssertTransientFaultsAsync(Mfp, site, secret, "myfitnesspal", "/v2/diary");
        Assert.Single(await host.TreatmentsAsync(site, secret));
    }
}
