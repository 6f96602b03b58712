using System.Text.Json;

namespace Nocturne.Tests.Connectors;

/// <summary>A site's LibreLinkUp connector against a fake LibreLinkUp on loopback.</summary>
public sealed class LibreLinkUpConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private static readonly string[] Directions = ["NONE", "DoubleUp", "SingleUp", "FortyFiveUp", "Flat", "FortyFiveDown", "SingleDown", "DoubleDown"];

    private async Task<(string Site, string Secret, string Email, FakeLibreLinkUp.Account Account)> SiteWithAccountAsync(string region, params FakeLibreLinkUp.Patient[] patients)
    {
        var (site, secret) = await host.Api.CreateSiteAsync("llu");
        var email = $"{Guid.NewGuid():N}"[..12] + "@example.com";
        return (site, secret, email, host.Libre.AddAccount(email, $"pw-{Guid.NewGuid():N}", region, patients));
    }

    private static FakeLibreLinkUp.Patient Patient(string name, List<FakeReading> readings) => new(Guid.NewGuid().ToString(), name, readings);

    [Fact]
    public async Task FollowsTheRedirectPicksThePatientAndStoresUtcReadingsWithTheLatestTrend()
    {
        var now = DateTimeOffset.UtcNow;
        var other = Patient("Other", FakeReading.Series(now.AddHours(-3), now.AddMinutes(-1), TimeSpan.FromMinutes(15)));
        var readings = FakeReading.Series(now.AddHours(-11), now.AddMinutes(-15), TimeSpan.FromMinutes(15));
        readings.Add(new FakeReading(now.AddMinutes(-1).ToUnixTimeMilliseconds() / 1000 * 1000, 181, 2));
        var followed = Patient("Followed", readings);
        // The account lives in the EU; the connector starts at the global host and is redirected.
        var (site, secret, email, account) = await SiteWithAccountAsync("eu", other, followed);
        var (status, body) = await host.ConfigureAsync(site, secret, "librelinkup",
            new { username = email, password = account.Password, patientId = followed.PatientId, intervalSeconds = 2 });
        Assert.True(status == 200, body.ToString());
        Assert.Equal("g***@example.com".Length, body.GetProperty("account").GetString()!.Length);

        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.EntriesAsync(site, secret)).Count >= readings.Count));
        var entries = await host.EntriesAsync(site, secret);
        Assert.Equal(readings.Select(r => r.Ms).Order(), entries.Select(e => e.GetProperty("date").GetInt64()).Order());
        var byDate = entries.ToDictionary(e => e.GetProperty("date").GetInt64());
        Assert.All(readings, r => Assert.Equal(r.Mgdl, byDate[r.Ms].GetProperty("sgv").GetInt32()));
        // FactoryTimestamp is UTC; the phone-local Timestamp (two hours ahead here) must not shift anything.
        Assert.All(entries, e => Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("date").GetInt64()).UtcDateTime,
            e.GetProperty("dateString").GetDateTime().ToUniversalTime()));
        // Only the latest measurement carries an arrow (SingleUp here).
        var latest = byDate[readings[^1].Ms];
        Assert.Equal("SingleUp", latest.GetProperty("direction").GetString());
        Assert.Equal(2, latest.GetProperty("trend").GetInt32());
        Assert.Equal("nocturne-librelinkup", latest.GetProperty("device").GetString());
        Assert.False(byDate[readings[0].Ms].TryGetProperty("direction", out _));
        Assert.DoesNotContain(entries, e => other.Readings.Any(r => r.Ms == e.GetProperty("date").GetInt64() && r.Mgdl == e.GetProperty("sgv").GetInt32() && !readings.Contains(r)));

        // The redirect was followed once, and the session is reused on later ticks.
        var logins = host.Libre.Logins.GetValueOrDefault(email);
        var syncs = (await host.StatusAsync(site, secret, "librelinkup")).GetProperty("syncs").GetInt64();
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "librelinkup")).GetProperty("syncs").GetInt64() >= syncs + 2));
        Assert.Equal(logins, host.Libre.Logins.GetValueOrDefault(email));
        Assert.Equal(readings.Count, (await host.EntriesAsync(site, secret)).Count);

        // Its short period must not go on polling the shared fake (and take another test's queued faults).
        await host.RemoveAsync(site, secret, "librelinkup");
    }

    [Fact]
    public async Task TermsToAcceptPausePollingUntilTheUserActs()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-1), now.AddMinutes(-1), TimeSpan.FromMinutes(15));
        var (site, secret, email, account) = await SiteWithAccountAsync("global", Patient("P", readings));
        account.PendingStep = "tou";
        await host.ConfigureAsync(site, secret, "librelinkup", new { username = email, password = account.Password, intervalSeconds = 1 });

        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "librelinkup")).GetProperty("health").GetString() == "paused"));
        var status = await host.StatusAsync(site, secret, "librelinkup");
        Assert.Contains("terms of use", status.GetProperty("lastError").GetProperty("message").GetString());
        var attempts = host.Libre.LoginAttempts.GetValueOrDefault(email);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(attempts, host.Libre.LoginAttempts.GetValueOrDefault(email));

        // Accepted in the app; the admin saves the settings again (no password needed) and it resumes.
        account.PendingStep = null;
        var (again, _) = await host.ConfigureAsync(site, secret, "librelinkup", new { username = email, intervalSeconds = 1 });
        Assert.Equal(200, again);
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.EntriesAsync(site, secret)).Count == readings.Count));

        // Its short period must not go on polling the shared fake (and take another test's queued faults).
        await host.RemoveAsync(site, secret, "librelinkup");
    }

    [Fact]
    public async Task AWrongPasswordPausesAndAnExpiredTokenLogsInAgain()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-1), now.AddMinutes(-20), TimeSpan.FromMinutes(15));
        var (site, secret, email, account) = await SiteWithAccountAsync("global", Patient("P", readings));

        await host.ConfigureAsync(site, secret, "librelinkup", new { username = email, password = "wrong", intervalSeconds = 3600 });
        var refused = await host.SyncAsync(site, secret, "librelinkup");
        Assert.Equal("paused", refused.GetProperty("health").GetString());
        Assert.True(refused.GetProperty("lastError").GetProperty("permanent").GetBoolean());

        await host.ConfigureAsync(site, secret, "librelinkup", new { username = email, password = account.Password, intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "librelinkup")).GetProperty("health").GetString());
        var logins = host.Libre.Logins.GetValueOrDefault(email);

        host.Libre.ExpireTokens();
        readings.Add(new FakeReading(now.AddMinutes(-2).ToUnixTimeMilliseconds() / 1000 * 1000, 140, 4));
        var status = await host.SyncAsync(site, secret, "librelinkup");
        Assert.True(status.GetProperty("health").GetString() == "healthy", status.ToString());
        Assert.Equal(logins + 1, host.Libre.Logins.GetValueOrDefault(email));
        Assert.Equal(readings.Count, (await host.EntriesAsync(site, secret)).Count);
    }

    [Fact]
    public async Task ServerErrorsAndMalformedAnswersAreTransient()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-1), now.AddMinutes(-1), TimeSpan.FromMinutes(15));
        var (site, secret, email, account) = await SiteWithAccountAsync("global", Patient("P", readings));
        await host.ConfigureAsync(site, secret, "librelinkup", new { username = email, password = account.Password, intervalSeconds = 3600 });

        // One 500 is retried within the sync (GETs are safe to repeat).
        host.Libre.Faults.Enqueue(new VendorFault(VendorFaultKind.ServerError, "/llu/connections"));
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "librelinkup")).GetProperty("health").GetString());
        Assert.Equal(readings.Count, (await host.EntriesAsync(site, secret)).Count);

        host.Libre.Faults.Enqueue(new VendorFault(VendorFaultKind.Malformed, "/graph"));
        var failed = await host.SyncAsync(site, secret, "librelinkup");
        Assert.Equal("failing", failed.GetProperty("health").GetString());
        Assert.False(failed.GetProperty("lastError").GetProperty("permanent").GetBoolean());
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "librelinkup")).GetProperty("health").GetString());
    }

    [Fact]
    public async Task AnUnknownRegionIsRefused()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("llubad");
        var (status, body) = await host.ConfigureAsync(site, secret, "librelinkup", new { username = "a@b.c", password = "p", region = "atlantis" });
        Assert.Equal(400, status);
        Assert.Contains("region", body.GetProperty("description").GetString());
    }
}
