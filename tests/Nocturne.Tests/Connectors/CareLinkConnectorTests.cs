using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Tests.Connectors;

/// <summary>A site's MiniMed CareLink connector against a fake CareLink on loopback.</summary>
public sealed class CareLinkConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private FakeCareLink CareLink => host.CareLink;

    private static DateTimeOffset Minute(DateTimeOffset at) => new(at.UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private async Task<(string Site, string Secret, FakeCareLink.Account Account, string LoginData, FakeCareLink.Patient Patient)> SiteWithPatientAsync()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("cl");
        var username = $"patient-{Guid.NewGuid():N}"[..16];
        var (account, login) = CareLink.AddAccount(username, "PATIENT_OUS");
        var patient = CareLink.Patients[username] = new FakeCareLink.Patient();
        return (site, secret, account, login, patient);
    }

    private static JsonElement Only(List<JsonElement> treatments, string eventType, Func<JsonElement, bool>? where = null) =>
        Assert.Single(treatments, t => t.GetProperty("eventType").GetString() == eventType && (where?.Invoke(t) ?? true));

    private async Task<JsonElement> NewestStatusAsync(string site, string secret) =>
        (await host.Api.GetOkAsync(site, secret, "/api/v1/devicestatus.json?count=1"))[0];

    [Fact]
    public async Task PollsAndMapsReadingsBolusesBasalsSuspendsAndThePumpState()
    {
        var now = Minute(DateTimeOffset.UtcNow);
        var (site, secret, _, login, patient) = await SiteWithPatientAsync();
        // The pump's clock is five hours behind UTC; CareLink labels it as UTC anyway.
        patient.PumpOffsetHours = -5;
        for (var i = 12; i >= 1; i--)
        {
            patient.Readings.Add((now.AddMinutes(-5 * i), i == 3 ? 0 : 100 + i, i == 3 ? "CALIBRATION_REQUIRED" : "NO_ERROR_MESSAGE"));
        }

        var meal = now.AddMinutes(-40);
        patient.Markers.Add((meal, new JsonObject { ["type"] = "INSULIN", ["activationType"] = "RECOMMENDED", ["bolusType"] = "FAST", ["deliveredFastAmount"] = 3.5, ["programmedFastAmount"] = 3.5 }));
        patient.Markers.Add((meal, new JsonObject { ["type"] = "MEAL", ["amount"] = 45 }));
        patient.Markers.Add((now.AddMinutes(-30), new JsonObject { ["type"] = "INSULIN", ["activationType"] = "AUTOCORRECTION", ["bolusType"] = "FAST", ["deliveredFastAmount"] = 0.8 }));
        patient.Markers.Add((now.AddMinutes(-25), new JsonObject { ["type"] = "AUTO_BASAL_DELIVERY", ["bolusAmount"] = 0.05 }));
        patient.Markers.Add((now.AddMinutes(-50), new JsonObject { ["type"] = "LOW_GLUCOSE_SUSPENDED", ["deliverySuspended"] = true }));
        patient.Markers.Add((now.AddMinutes(-45), new JsonObject { ["type"] = "LOW_GLUCOSE_SUSPENDED", ["deliverySuspended"] = false }));
        patient.Markers.Add((now.AddMinutes(-20), new JsonObject { ["type"] = "MEAL", ["amount"] = 15 }));

        var (status, body) = await host.ConfigureAsync(site, secret, "carelink", new { token = login, region = "eu", intervalSeconds = 2 });
        Assert.True(status == 200, body.ToString());
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.TreatmentsAsync(site, secret)).Count >= 5));

        var entries = await host.EntriesAsync(site, secret);
        // Eleven readings: the "no reading" (sg 0, calibration required) is not an entry.
        Assert.Equal(11, entries.Count);
        Assert.Equal(patient.Readings.Where(r => r.Sg > 0).Select(r => r.At.ToUnixTimeMilliseconds()).Order(), entries.Select(e => e.GetProperty("date").GetInt64()).Order());
        var newest = entries.MaxBy(e => e.GetProperty("date").GetInt64());
        Assert.Equal(101, newest.GetProperty("sgv").GetInt32());
        Assert.Equal("FortyFiveUp", newest.GetProperty("direction").GetString());

        var treatments = await host.TreatmentsAsync(site, secret);
        Assert.Equal(5, treatments.Count);
        var mealBolus = Only(treatments, "Meal Bolus");
        Assert.Equal(3.5, mealBolus.GetProperty("insulin").GetDouble());
        Assert.Equal(45, mealBolus.GetProperty("carbs").GetDouble());
        Assert.Equal(meal.ToUnixTimeMilliseconds(), mealBolus.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(-300, mealBolus.GetProperty("utcOffset").GetInt32());
        var auto = Only(treatments, "Correction Bolus");
        Assert.Equal(0.8, auto.GetProperty("insulin").GetDouble());
        Assert.True(auto.GetProperty("automatic").GetBoolean());
        var micro = Only(treatments, "Temp Basal", t => t.GetProperty("absolute").GetDouble() > 0);
        Assert.Equal(0.6, micro.GetProperty("absolute").GetDouble());
        Assert.Equal(5, micro.GetProperty("duration").GetDouble());
        var suspend = Only(treatments, "Temp Basal", t => t.GetProperty("absolute").GetDouble() == 0);
        Assert.Equal(5, suspend.GetProperty("duration").GetDouble());
        Assert.Equal(now.AddMinutes(-50).ToUnixTimeMilliseconds(), suspend.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(15, Only(treatments, "Carb Correction").GetProperty("carbs").GetDouble());

        var device = await NewestStatusAsync(site, secret);
        var pump = device.GetProperty("pump");
        Assert.Equal("nocturne-carelink", device.GetProperty("device").GetString());
        Assert.Equal(75, pump.GetProperty("battery").GetProperty("percent").GetDouble());
        Assert.Equal(120.5, pump.GetProperty("reservoir").GetDouble());
        Assert.Equal(2.3, pump.GetProperty("iob").GetProperty("bolusiob").GetDouble());
        Assert.Equal("automatic", pump.GetProperty("mode").GetString());
        Assert.Equal("SmartGuard", pump.GetProperty("extended").GetProperty("PumpMode").GetString());
        Assert.Equal("NO_ERROR_MESSAGE", pump.GetProperty("extended").GetProperty("SensorState").GetString());
        Assert.Equal(96, pump.GetProperty("extended").GetProperty("SensorDurationHours").GetDouble());
        Assert.Equal(now.AddMinutes(-5).ToUnixTimeMilliseconds(), device.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());

        // The documents are visible while the sync is still finishing; its outcome is saved at its end.
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "carelink")).GetProperty("health").GetString() == "healthy"));
        var connector = await host.StatusAsync(site, secret, "carelink");
        Assert.False(connector.GetProperty("stale").GetBoolean());

        await host.RemoveAsync(site, secret, "carelink");
    }

    [Fact]
    public async Task RotatedRefreshTokensAreKeptAndARevokedOnePauses()
    {
        var now = Minute(DateTimeOffset.UtcNow);
        var (site, secret, account, login, patient) = await SiteWithPatientAsync();
        patient.Readings.Add((now.AddMinutes(-5), 120, "NO_ERROR_MESSAGE"));
        // Access tokens that are stale at once: every sync refreshes, and each refresh token works only once.
        CareLink.ExpiresInSeconds = 30;
        await host.ConfigureAsync(site, secret, "carelink", new { token = login, intervalSeconds = 3600 });
        for (var i = 0; i < 3; i++)
        {
            var synced = await host.SyncAsync(site, secret, "carelink");
            Assert.True(synced.GetProperty("health").GetString() == "healthy", synced.ToString());
        }

        Assert.Equal(3, account.Refreshes);
        Assert.Equal(0, account.RefusedRefreshes);

        // Manual mode shows in the pump state.
        patient.State["therapyAlgorithmState"] = new JsonObject { ["autoModeShieldState"] = "FEATURE_OFF" };
        patient.Readings.Add((now.AddMinutes(-1), 125, "NO_ERROR_MESSAGE"));
        await host.SyncAsync(site, secret, "carelink");
        Assert.Equal("manual", (await NewestStatusAsync(site, secret)).GetProperty("pump").GetProperty("mode").GetString());

        // The user logged out everywhere: the refresh token is refused, polling stops and says what to do.
        CareLink.RevokeRefreshTokens();
        var refused = await host.SyncAsync(site, secret, "carelink");
        Assert.Equal("paused", refused.GetProperty("health").GetString());
        Assert.True(refused.GetProperty("lastError").GetProperty("permanent").GetBoolean());
        Assert.Contains("browser", refused.GetProperty("lastError").GetProperty("message").GetString());
        CareLink.ExpiresInSeconds = 3600;
    }

    [Fact]
    public async Task NoNewReadingForTwentyMinutesShowsAsStale()
    {
        var now = Minute(DateTimeOffset.UtcNow);
        var (site, secret, _, login, patient) = await SiteWithPatientAsync();
        patient.Readings.Add((now.AddMinutes(-40), 130, "NO_ERROR_MESSAGE"));
        patient.Readings.Add((now.AddMinutes(-35), 0, "SENSOR_DISCONNECTED"));
        patient.LastReport = now;
        await host.ConfigureAsync(site, secret, "carelink", new { token = login, intervalSeconds = 3600 });
        var stale = await host.SyncAsync(site, secret, "carelink");
        Assert.Equal("healthy", stale.GetProperty("health").GetString());
        Assert.True(stale.GetProperty("stale").GetBoolean());
        Assert.Equal(now.AddMinutes(-40), stale.GetProperty("newestReadingAt").GetDateTimeOffset());

        patient.Readings.Add((now.AddMinutes(-2), 140, "NO_ERROR_MESSAGE"));
        Assert.False((await host.SyncAsync(site, secret, "carelink")).GetProperty("stale").GetBoolean());
    }

    [Fact]
    public async Task ACarePartnerReadsTheLinkedPatientAndFaultsAreHandled()
    {
        var now = Minute(DateTimeOffset.UtcNow);
        var (site, secret) = await host.Api.CreateSiteAsync("cl");
        var partnerName = $"partner-{Guid.NewGuid():N}"[..16];
        var (partner, login) = CareLink.AddAccount(partnerName, "CARE_PARTNER_OUS");
        var child = $"child-{Guid.NewGuid():N}"[..14];
        partner.LinkedPatients.AddRange([$"other-{Guid.NewGuid():N}"[..12], child]);
        var patient = CareLink.Patients[child] = new FakeCareLink.Patient();
        patient.Readings.Add((now.AddMinutes(-10), 150, "NO_ERROR_MESSAGE"));

        var (bad, badBody) = await host.ConfigureAsync(site, secret, "carelink", new { token = "not-json" });
        Assert.Equal(400, bad);
        Assert.Contains("refresh_token", badBody.GetProperty("description").GetString());

        await host.ConfigureAsync(site, secret, "carelink", new { token = login, patientId = child, intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "carelink")).GetProperty("health").GetString());
        Assert.Equal(150, Assert.Single(await host.EntriesAsync(site, secret)).GetProperty("sgv").GetInt32());

        // An access token CareLink forgot: one refresh, then the data.
        CareLink.ExpireAccessTokens();
        patient.Readings.Add((now.AddMinutes(-5), 155, "NO_ERROR_MESSAGE"));
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "carelink")).GetProperty("health").GetString());
        Assert.Equal(2, partner.Refreshes);
        Assert.Equal(2, (await host.EntriesAsync(site, secret)).Count);

        await host.AssertTransientFaultsAsync(CareLink, site, secret, "carelink", "/display/message");

        // Re-syncs never duplicate.
        Assert.Equal(2, (await host.EntriesAsync(site, secret)).Count);
    }
}
