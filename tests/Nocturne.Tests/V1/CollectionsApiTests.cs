using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V1;

/// <summary>Treatments, devicestatus, profile, food and activity through the v1 API.</summary>
public sealed class CollectionsApiTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff") + "Z";

    [Fact]
    public async Task TreatmentsAreNormalisedLikeTheReference()
    {
        var (site, secret) = await api.CreateSiteAsync("treat");
        var local = new DateTimeOffset(DateTime.UtcNow.AddMinutes(-30).Ticks - DateTime.UtcNow.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).ToOffset(TimeSpan.FromHours(2));
        var (status, posted) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new
        {
            eventType = "Meal Bolus",
            created_at = local.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz"),
            carbs = "30",
            insulin = 2.5,
            notes = "",
            percent = 0,
            glucose = 0,
            glucoseType = "Finger",
            units = "mg/dl",
            enteredBy = "test",
        });
        Assert.Equal(200, status);
        var t = posted[0];
        Assert.Equal(Iso(local), t.GetProperty("created_at").GetString());
        Assert.Equal(120, t.GetProperty("utcOffset").GetInt32());
        Assert.Equal(30, t.GetProperty("carbs").GetDouble());
        Assert.Equal(JsonValueKind.Number, t.GetProperty("carbs").ValueKind);
        foreach (var removed in new[] { "notes", "percent", "glucose", "glucoseType", "units" })
        {
            Assert.False(t.TryGetProperty(removed, out _), removed);
        }

        var (_, announcement) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new { eventType = "Announcement", notes = "hello" });
        Assert.True(announcement[0].GetProperty("isAnnouncement").GetBoolean());
    }

    [Fact]
    public async Task IdenticalTreatmentsInABatchCollapseAndIdentifiersDeduplicate()
    {
        var (site, secret) = await api.CreateSiteAsync("tdedup");
        var when = Iso(DateTimeOffset.UtcNow.AddMinutes(-10));
        var batch = Enumerable.Repeat(new { eventType = "Correction Bolus", created_at = when, insulin = 1.2 }, 8).ToArray();
        var (_, posted) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", batch);
        Assert.Equal(8, posted.GetArrayLength());
        Assert.Single(posted.EnumerateArray(), p => p.TryGetProperty("_id", out _));

        var uuid = Guid.NewGuid().ToString();
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new { _id = uuid, eventType = "Carb Correction", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-5)), carbs = 10 });
        var (_, again) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new { _id = uuid, eventType = "Carb Correction", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-4)), carbs = 12 });
        Assert.True(again[0].TryGetProperty("_id", out _));

        var (_, list) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments");
        Assert.Equal(2, list.GetArrayLength());
        Assert.Contains(list.EnumerateArray(), t => t.TryGetProperty("carbs", out var c) && c.GetDouble() == 12);
    }

    [Fact]
    public async Task PreBolusMovesTheCarbsToASecondTreatment()
    {
        var (site, secret) = await api.CreateSiteAsync("prebolus");
        var when = DateTimeOffset.UtcNow.AddHours(-1);
        var (_, posted) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new { eventType = "Meal Bolus", created_at = Iso(when), insulin = 4, carbs = 45, preBolus = 15 });
        Assert.Equal(2, posted.GetArrayLength());
        Assert.False(posted[0].TryGetProperty("carbs", out _));
        Assert.Equal(45, posted[1].GetProperty("carbs").GetDouble());
        Assert.Equal(Iso(when.AddMinutes(15)), posted[1].GetProperty("created_at").GetString());
    }

    [Fact]
    public async Task TreatmentQueriesSupportNumbersAndRegexLiterals()
    {
        var (site, secret) = await api.CreateSiteAsync("tquery");
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new object[]
        {
            new { eventType = "Meal Bolus", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-20)), insulin = 5, notes = "Pizza night" },
            new { eventType = "Correction Bolus", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-10)), insulin = 1 },
            new { eventType = "Temp Basal", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-5)), duration = 30, absolute = 0.5 },
        });
        Assert.Equal(1, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments.json?find[insulin][$gte]=2")).Body.GetArrayLength());
        Assert.Equal(2, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments.json?find[eventType]=/Bolus/")).Body.GetArrayLength());
        Assert.Equal(1, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments.json?find[notes]=/pizza/i")).Body.GetArrayLength());
        Assert.Equal(1, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments.json?find[eventType]=Temp%20Basal")).Body.GetArrayLength());
        var (_, all) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments.json?count=2");
        Assert.Equal(["Temp Basal", "Correction Bolus"], all.EnumerateArray().Select(t => t.GetProperty("eventType").GetString()));
    }

    [Fact]
    public async Task TreatmentsCanBeReplacedAndDeleted()
    {
        var (site, secret) = await api.CreateSiteAsync("tput");
        var (_, posted) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new { eventType = "Note", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-3)), notes = "first" });
        var id = posted[0].GetProperty("_id").GetString();
        var (putStatus, _) = await api.SendAsAdminAsync(site, secret, HttpMethod.Put, "/api/v1/treatments", new { _id = id, eventType = "Note", created_at = posted[0].GetProperty("created_at").GetString(), notes = "edited" });
        Assert.Equal(200, putStatus);
        var (_, list) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments");
        Assert.Equal("edited", list.EnumerateArray().Single().GetProperty("notes").GetString());

        var (_, deleted) = await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v1/treatments/{id}");
        Assert.Equal(1, deleted.GetProperty("deletedCount").GetInt32());
        Assert.Equal(0, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments")).Body.GetArrayLength());
        Assert.Equal(400, (await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, "/api/v1/treatments/not-an-id")).Status);
    }

    [Fact]
    public async Task ABadTreatmentRejectsTheWholeBatch()
    {
        var (site, secret) = await api.CreateSiteAsync("tbad");
        var (status, error) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new object[]
        {
            new { eventType = "Meal Bolus", insulin = 3 },
            new { eventType = "Meal Bolus", insulin = "three" },
        });
        Assert.Equal(400, status);
        Assert.Contains("insulin", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/treatments")).Body.GetArrayLength());
    }

    [Fact]
    public async Task DeviceStatusValidatesIdsTruncatesPredictionsAndKeepsEveryUpload()
    {
        var (site, secret) = await api.CreateSiteAsync("ds");
        var (status, error) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", new { _id = "abc", device = "openaps://phone" });
        Assert.Equal(400, status);
        Assert.Equal("Document 0: Invalid _id format", error.GetProperty("message").GetString());
        Assert.Contains("Got: abc", error.GetProperty("description").GetString(), StringComparison.Ordinal);

        var predictions = Enumerable.Range(0, 400).Select(i => 100 + (i % 50)).ToArray();
        var upload = new { device = "openaps://phone", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-1)), openaps = new { suggested = new { predBGs = new Dictionary<string, int[]> { ["IOB"] = predictions, ["ZT"] = predictions[..10] } } } };
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", upload);
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", upload);
        var (_, list) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/devicestatus.json");
        Assert.Equal(2, list.GetArrayLength());
        var stored = list[0].GetProperty("openaps").GetProperty("suggested").GetProperty("predBGs");
        Assert.Equal(288, stored.GetProperty("IOB").GetArrayLength());
        Assert.Equal(10, stored.GetProperty("ZT").GetArrayLength());
    }

    [Fact]
    public async Task ProfilesHaveACurrentOneAndPutNeedsAnId()
    {
        var (site, secret) = await api.CreateSiteAsync("profile");
        var (_, nothing) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/profile/current");
        Assert.Equal(JsonValueKind.Null, nothing.ValueKind);

        var older = new { defaultProfile = "Default", startDate = Iso(DateTimeOffset.UtcNow.AddDays(-2)), store = new { Default = new { dia = 5 } } };
        var newer = new { defaultProfile = "Sport", startDate = Iso(DateTimeOffset.UtcNow.AddDays(-1)), store = new { Sport = new { dia = 4 } } };
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/profile", new object[] { older, newer });
        var (_, current) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/profile/current");
        Assert.Equal("Sport", current.GetProperty("defaultProfile").GetString());
        Assert.Equal(2, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/profile")).Body.GetArrayLength());

        Assert.Equal(400, (await api.SendAsAdminAsync(site, secret, HttpMethod.Put, "/api/v1/profile", newer)).Status);
        var id = current.GetProperty("_id").GetString();
        var (putStatus, _) = await api.SendAsAdminAsync(site, secret, HttpMethod.Put, "/api/v1/profile", new { _id = id, defaultProfile = "Sick", startDate = newer.startDate, store = new { Sick = new { dia = 6 } } });
        Assert.Equal(200, putStatus);
        Assert.Equal("Sick", (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/profile/current")).Body.GetProperty("defaultProfile").GetString());

        var (deleteStatus, deleted) = await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v1/profile/{id}");
        Assert.Equal(200, deleteStatus);
        Assert.Equal(JsonValueKind.Object, deleted.ValueKind);
        Assert.Equal("Default", (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/profile/current")).Body.GetProperty("defaultProfile").GetString());
    }

    [Fact]
    public async Task FoodHasQuickpicksAndRegulars()
    {
        var (site, secret) = await api.CreateSiteAsync("food");
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/food", new object[]
        {
            new { type = "food", name = "Apple", carbs = 15 },
            new { type = "quickpick", name = "Breakfast", hidden = "false", position = 2 },
            new { type = "quickpick", name = "Snack", hidden = "false", position = 1 },
            new { type = "quickpick", name = "Old", hidden = "true", position = 0 },
        });
        var all = (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/food")).Body;
        Assert.Equal(4, all.GetArrayLength());
        // Stamped with the time of the upload, as the reference does.
        Assert.All(all.EnumerateArray(), f => Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse(f.GetProperty("created_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture) < TimeSpan.FromMinutes(5)));
        var (_, picks) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/food/quickpicks");
        Assert.Equal(["Snack", "Breakfast"], picks.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(["Apple"], (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/food/regular")).Body.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("treatments", "{\"eventType\":", "Malformed JSON")]
    [InlineData("treatments", "[{\"eventType\":\"Note\",\"created_at\":\"soon\"}]", "created_at is not a date")]
    [InlineData("devicestatus", "[{\"device\":\"a\",\"created_at\":\"soon\"}]", "created_at is not a date")]
    [InlineData("devicestatus", "42", "JSON object")]
    [InlineData("profile", "[{\"startDate\":\"1999-01-01T00:00:00Z\"}]", "2000")]
    [InlineData("profile", "{\"_id\":\"xyz\"}", "Invalid _id format")]
    [InlineData("food", "[{\"name\":\"ok\"},\"not an object\"]", "not a JSON object")]
    [InlineData("activity", "{\"created_at\":\"2020-13-45\"}", "created_at is not a date")]
    public async Task BadUploadsToEveryCollectionAreRefusedAndStoreNothing(string collection, string body, string needle)
    {
        var (site, secret) = await api.CreateSiteAsync("cbad");
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, $"/api/v1/{collection}", MultiSiteApi.Sha1(secret));
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var (status, error) = await api.SendAsync(request);
        Assert.Equal(400, status);
        var text = error.GetProperty("message").GetString() + " " + (error.TryGetProperty("description", out var d) ? d.GetString() : "");
        Assert.Contains(needle, text, StringComparison.Ordinal);
        Assert.Equal(0, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, $"/api/v1/{collection}.json?find[created_at][$gte]=2000-01-01")).Body.GetArrayLength());
    }

    [Fact]
    public async Task ActivityIsStoredAndListed()
    {
        var (site, secret) = await api.CreateSiteAsync("activity");
        var (status, _) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/activity", new { created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-15)), steps = 1200, heartRate = 88 });
        Assert.Equal(200, status);
        var (_, list) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/activity");
        Assert.Equal(1200, list[0].GetProperty("steps").GetInt32());
    }
}
