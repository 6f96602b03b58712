using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Tests.Connectors;

/// <summary>A site's Tidepool connector against a fake Tidepool on loopback.</summary>
public sealed class TidepoolConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private FakeTidepool Tidepool => host.Tidepool;

    private async Task<(string Site, string Secret, FakeTidepool.Account Account)> SiteWithAccountAsync()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("tp");
        return (site, secret, Tidepool.AddAccount($"{Guid.NewGuid():N}"[..12] + "@example.com", $"pw-{Guid.NewGuid():N}"));
    }

    private static JsonObject With(JsonObject datum, object fields)
    {
        foreach (var (key, value) in JsonSerializer.SerializeToNode(fields)!.AsObject())
        {
            datum[key] = value?.DeepClone();
        }

        return datum;
    }

    private static JsonElement Only(List<JsonElement> treatments, string eventType, Func<JsonElement, bool>? where = null) =>
        Assert.Single(treatments, t => t.GetProperty("eventType").GetString() == eventType && (where?.Invoke(t) ?? true));

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    [Fact]
    public async Task PollsOnItsReminderAndMapsEveryDataTypeWithUnitsAndOffsets()
    {
        var now = DateTimeOffset.UtcNow;
        var (site, secret, account) = await SiteWithAccountAsync();
        var mealBolus = With(FakeTidepool.Datum("bolus", now.AddHours(-3), 60), new { subType = "normal", normal = 2.5 });
        account.Data.AddRange(
        [
            With(FakeTidepool.Datum("cbg", now.AddMinutes(-30), 60), new { units = "mmol/L", value = 5.5 }),
            With(FakeTidepool.Datum("cbg", now.AddMinutes(-25), 60), new { units = "mmol/L", value = 10.0 }),
            With(FakeTidepool.Datum("cbg", now.AddMinutes(-20), 60), new { units = "mmol/L", value = 3.9 }),
            With(FakeTidepool.Datum("smbg", now.AddMinutes(-40), 60), new { units = "mmol/L", value = 6.1 }),
            mealBolus,
            With(FakeTidepool.Datum("wizard", now.AddHours(-3), 60), new { carbInput = 45, bolus = (string)mealBolus["id"]!, units = "mmol/L" }),
            // The device moved to summer time (or travelled): its later records carry another offset.
            With(FakeTidepool.Datum("bolus", now.AddHours(-2), 120), new { subType = "normal", normal = 1.2 }),
            With(FakeTidepool.Datum("bolus", now.AddHours(-5), 60), new { subType = "square", extended = 3.0, duration = 7_200_000 }),
            With(FakeTidepool.Datum("bolus", now.AddHours(-6), 60), new { subType = "dual/square", normal = 2.0, extended = 2.0, duration = 3_600_000 }),
            With(FakeTidepool.Datum("basal", now.AddHours(-4), 60), new { deliveryType = "temp", rate = 0.4, duration = 1_800_000, percent = 0.5 }),
            With(FakeTidepool.Datum("basal", now.AddHours(-7), 60), new { deliveryType = "suspend", duration = 900_000 }),
            With(FakeTidepool.Datum("basal", now.AddHours(-8), 60), new { deliveryType = "scheduled", rate = 0.8, duration = 3_600_000, scheduleName = "Standard" }),
            With(FakeTidepool.Datum("food", now.AddHours(-1), 60), new { nutrition = new { carbohydrate = new { net = 20, units = "grams" } } }),
            With(FakeTidepool.Datum("physicalActivity", now.AddHours(-9), 60), new { name = "Run", reportedIntensity = "medium", duration = new { value = 45, units = "minutes" } }),
            With(FakeTidepool.Datum("pumpSettings", now.AddDays(-1), 60), new
            {
                activeSchedule = "Standard",
                basalSchedules = new { Standard = new[] { new { start = 0, rate = 0.8 }, new { start = 21_600_000, rate = 1.0 } } },
                carbRatios = new { Standard = new[] { new { start = 0, amount = 10 } } },
                insulinSensitivities = new { Standard = new[] { new { start = 0, amount = 2.5 } } },
                bgTargets = new { Standard = new[] { new { start = 0, low = 5.0, high = 6.0 } } },
                units = new { carb = "grams", bg = "mmol/L" },
            }),
        ]);

        var (status, body) = await host.ConfigureAsync(site, secret, "tidepool", new { username = account.Email, password = account.Password, intervalSeconds = 2 });
        Assert.True(status == 200, body.ToString());
        // No sync is asked for: the reminder does it. A sync writes collection by collection, so wait for
        // the last one (the profile) too.
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.TreatmentsAsync(site, secret)).Count >= 8
            && (await host.Api.GetOkAsync(site, secret, "/api/v1/profile.json")).GetArrayLength() > 0));

        var entries = await host.EntriesAsync(site, secret);
        Assert.Equal([70, 99, 180], entries.Where(e => e.GetProperty("type").GetString() == "sgv").Select(e => e.GetProperty("sgv").GetInt32()).Order());
        Assert.Equal(Ms(now.AddMinutes(-30)), entries.Single(e => e.TryGetProperty("sgv", out var v) && v.GetInt32() == 99).GetProperty("date").GetInt64());
        var meter = Assert.Single(entries, e => e.GetProperty("type").GetString() == "mbg");
        Assert.Equal(110, meter.GetProperty("mbg").GetInt32());

        var treatments = await host.TreatmentsAsync(site, secret);
        Assert.Equal(8, treatments.Count);
        Assert.All(treatments, t => Assert.Equal("nocturne-tidepool", t.GetProperty("enteredBy").GetString()));
        var meal = Only(treatments, "Meal Bolus");
        Assert.Equal(2.5, meal.GetProperty("insulin").GetDouble());
        Assert.Equal(45, meal.GetProperty("carbs").GetDouble());
        Assert.Equal(Ms(now.AddHours(-3)), meal.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(60, meal.GetProperty("utcOffset").GetInt32());
        var correction = Only(treatments, "Correction Bolus");
        Assert.Equal(1.2, correction.GetProperty("insulin").GetDouble());
        Assert.Equal(120, correction.GetProperty("utcOffset").GetInt32());
        Assert.Equal(Ms(now.AddHours(-2)), correction.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        var square = Only(treatments, "Combo Bolus", t => !t.TryGetProperty("insulin", out _));
        Assert.Equal(3, square.GetProperty("enteredinsulin").GetDouble());
        Assert.Equal(120, square.GetProperty("duration").GetDouble());
        Assert.Equal(1.5, square.GetProperty("relative").GetDouble());
        var dual = Only(treatments, "Combo Bolus", t => t.TryGetProperty("insulin", out _));
        Assert.Equal(2, dual.GetProperty("insulin").GetDouble());
        Assert.Equal(4, dual.GetProperty("enteredinsulin").GetDouble());
        Assert.Equal(50, dual.GetProperty("splitNow").GetDouble());
        var temp = Only(treatments, "Temp Basal", t => t.GetProperty("absolute").GetDouble() > 0);
        Assert.Equal(0.4, temp.GetProperty("absolute").GetDouble());
        Assert.Equal(30, temp.GetProperty("duration").GetDouble());
        var suspend = Only(treatments, "Temp Basal", t => t.GetProperty("absolute").GetDouble() == 0);
        Assert.Equal(15, suspend.GetProperty("duration").GetDouble());
        Assert.Equal(20, Only(treatments, "Carb Correction").GetProperty("carbs").GetDouble());
        var exercise = Only(treatments, "Exercise");
        Assert.Equal(45, exercise.GetProperty("duration").GetDouble());
        Assert.Contains("Run", exercise.GetProperty("notes").GetString());

        var profile = Assert.Single((await host.Api.GetOkAsync(site, secret, "/api/v1/profile.json")).EnumerateArray());
        Assert.Equal("Standard", profile.GetProperty("defaultProfile").GetString());
        var standard = profile.GetProperty("store").GetProperty("Standard");
        Assert.Equal([0.8, 1.0], standard.GetProperty("basal").EnumerateArray().Select(b => b.GetProperty("value").GetDouble()));
        Assert.Equal("06:00", standard.GetProperty("basal")[1].GetProperty("time").GetString());
        Assert.Equal(10, standard.GetProperty("carbratio")[0].GetProperty("value").GetDouble());
        Assert.Equal(45, standard.GetProperty("sens")[0].GetProperty("value").GetDouble());
        Assert.Equal(90, standard.GetProperty("target_low")[0].GetProperty("value").GetDouble());
        Assert.Equal(108, standard.GetProperty("target_high")[0].GetProperty("value").GetDouble());
        Assert.Equal("mg/dl", standard.GetProperty("units").GetString());

        // The documents are visible while the sync is still finishing; its outcome is saved at its end.
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "tidepool")).GetProperty("health").GetString() == "healthy"));
        var connector = await host.StatusAsync(site, secret, "tidepool");
        Assert.Equal(8, connector.GetProperty("written").GetProperty("treatments").GetInt64());

        await host.RemoveAsync(site, secret, "tidepool");
    }

    [Fact]
    public async Task ResyncsChangeNothingAndVendorEditsAndDeletionsAreFollowed()
    {
        var now = DateTimeOffset.UtcNow;
        var (site, secret, account) = await SiteWithAccountAsync();
        var bolus = With(FakeTidepool.Datum("bolus", now.AddHours(-2), 60), new { subType = "normal", normal = 1.2 });
        var food = With(FakeTidepool.Datum("food", now.AddHours(-1), 60), new { nutrition = new { carbohydrate = new { net = 20, units = "grams" } } });
        var old = With(FakeTidepool.Datum("food", now.AddDays(-5), 60), new { nutrition = new { carbohydrate = new { net = 12, units = "grams" } } });
        account.Data.AddRange([bolus, food, old, With(FakeTidepool.Datum("cbg", now.AddMinutes(-10), 60), new { units = "mg/dL", value = 123 })]);
        await host.ConfigureAsync(site, secret, "tidepool", new { username = account.Email, password = account.Password, intervalSeconds = 3600 });

        // Overlapping syncs (the API's, a full one) store everything once.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => host.SyncAsync(site, secret, "tidepool", full: i % 2 == 0)));
        Assert.Equal(3, (await host.TreatmentsAsync(site, secret)).Count);
        Assert.Single(await host.EntriesAsync(site, secret));
        var stored = await host.HistoryAsync(site, secret, "treatments", 0);
        var modified = stored.Max(t => t.GetProperty("srvModified").GetInt64());
        var foodIdentifier = stored.Single(t => t.TryGetProperty("carbs", out var carbs) && carbs.GetDouble() == 20).GetProperty("identifier").GetString();

        // A full re-sync reads everything again and modifies nothing.
        await host.SyncAsync(site, secret, "tidepool", full: true);
        await host.SyncAsync(site, secret, "tidepool");
        Assert.Empty(await host.HistoryAsync(site, secret, "treatments", modified));

        // The user corrects the bolus and deletes the food at Tidepool; the old food is outside the re-read window.
        lock (account.Data)
        {
            bolus["normal"] = 1.5;
            account.Data.Remove(food);
        }

        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "tidepool")).GetProperty("health").GetString());
        var treatments = await host.TreatmentsAsync(site, secret);
        Assert.Equal(1.5, Only(treatments, "Correction Bolus").GetProperty("insulin").GetDouble());
        Assert.Equal(12, Only(treatments, "Carb Correction").GetProperty("carbs").GetDouble());
        var changes = await host.HistoryAsync(site, secret, "treatments", modified);
        Assert.Equal(2, changes.Count);
        Assert.Contains(changes, c => ConnectorHost.IsDeleted(c) && c.GetProperty("identifier").GetString() == foodIdentifier);
        Assert.Contains(changes, c => !ConnectorHost.IsDeleted(c) && c.TryGetProperty("insulin", out var insulin) && insulin.GetDouble() == 1.5);
    }

    [Fact]
    public async Task AClinicianReadsASharedUserAndAnUnsharedOnePauses()
    {
        var now = DateTimeOffset.UtcNow;
        var (site, secret, clinician) = await SiteWithAccountAsync();
        var patient = Tidepool.AddAccount($"{Guid.NewGuid():N}"[..12] + "@example.com", "pw");
        patient.SharedWith.Add(clinician.UserId);
        patient.Data.Add(With(FakeTidepool.Datum("cbg", now.AddMinutes(-10), 0), new { units = "mg/dL", value = 150 }));
        clinician.Data.Add(With(FakeTidepool.Datum("cbg", now.AddMinutes(-12), 0), new { units = "mg/dL", value = 99 }));

        await host.ConfigureAsync(site, secret, "tidepool", new { username = clinician.Email, password = clinician.Password, patientId = patient.UserId, intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "tidepool")).GetProperty("health").GetString());
        Assert.Equal(150, Assert.Single(await host.EntriesAsync(site, secret)).GetProperty("sgv").GetInt32());

        patient.SharedWith.Clear();
        var refused = await host.SyncAsync(site, secret, "tidepool");
        Assert.Equal("paused", refused.GetProperty("health").GetString());
        Assert.True(refused.GetProperty("lastError").GetProperty("permanent").GetBoolean());
        Assert.Contains("not shared", refused.GetProperty("lastError").GetProperty("message").GetString());
    }

    [Fact]
    public async Task FaultsAreRetriedBackedOffOrStopPollingAsTheyShould()
    {
        var now = DateTimeOffset.UtcNow;
        var (site, secret, account) = await SiteWithAccountAsync();
        account.Data.Add(With(FakeTidepool.Datum("cbg", now.AddMinutes(-10), 0), new { units = "mg/dL", value = 150 }));

        // A wrong password: one attempt, paused, shown.
        await host.ConfigureAsync(site, secret, "tidepool", new { username = account.Email, password = "wrong", intervalSeconds = 1 });
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "tidepool")).GetProperty("health").GetString() == "paused"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, Tidepool.FailedLogins.GetValueOrDefault(account.Email));
        Assert.Contains("refused the login", (await host.StatusAsync(site, secret, "tidepool")).GetProperty("lastError").GetProperty("message").GetString());

        await host.ConfigureAsync(site, secret, "tidepool", new { username = account.Email, password = account.Password, intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "tidepool")).GetProperty("health").GetString());
        var logins = Tidepool.Logins.GetValueOrDefault(account.Email);

        // An expired session (401): one new login, then the data.
        Tidepool.ExpireTokens();
        account.Data.Add(With(FakeTidepool.Datum("cbg", now.AddMinutes(-5), 0), new { units = "mg/dL", value = 160 }));
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "tidepool")).GetProperty("health").GetString());
        Assert.Equal(logins + 1, Tidepool.Logins.GetValueOrDefault(account.Email));
        Assert.Equal(2, (await host.EntriesAsync(site, secret)).Count);

        await host.AssertTransientFaultsAsync(Tidepool, site, secret, "tidepool", $"/data/{account.UserId}");
        Assert.Equal(2, (await host.EntriesAsync(site, secret)).Count);
    }
}
