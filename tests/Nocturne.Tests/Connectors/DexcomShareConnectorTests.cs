using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// A site's Dexcom Share connector against a fake Dexcom Share on loopback: polling on its
/// reminder, mapping, no duplicates, gap fill, session expiry, permanent and transient faults.
/// </summary>
public sealed class DexcomShareConnectorTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private static readonly string[] Directions = ["NONE", "DoubleUp", "SingleUp", "FortyFiveUp", "Flat", "FortyFiveDown", "SingleDown", "DoubleDown", "NOT COMPUTABLE", "RATE OUT OF RANGE"];

    private async Task<(string Site, string Secret, string User, FakeDexcomShare.Account Account)> SiteWithAccountAsync(List<FakeReading> readings)
    {
        var (site, secret) = await host.Api.CreateSiteAsync("dex");
        var user = $"user-{Guid.NewGuid():N}"[..20];
        return (site, secret, user, host.Dexcom.AddAccount(user, $"pw-{Guid.NewGuid():N}", readings));
    }

    private async Task ConfigureAsync(string site, string secret, string user, string password, int intervalSeconds)
    {
        var (status, body) = await host.ConfigureAsync(site, secret, "dexcom", new { username = user, password, region = "us", intervalSeconds });
        Assert.True(status == 200, body.ToString() + string.Join("\n", host.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Warn", StringComparison.Ordinal)).Take(5)));
    }

    [Fact]
    public async Task ConfiguredConnectorPollsOnItsReminderAndStoresMappedEntries()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-23).AddMinutes(-50), now.AddMinutes(-1), TimeSpan.FromMinutes(5));
        var (site, secret, user, account) = await SiteWithAccountAsync(readings);
        await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 2);

        // No sync is asked for: the reminder does it.
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.EntriesAsync(site, secret)).Count >= readings.Count));
        var entries = await host.EntriesAsync(site, secret);
        Assert.Equal(readings.Count, entries.Count);
        var byDate = entries.ToDictionary(e => e.GetProperty("date").GetInt64());
        foreach (var reading in readings)
        {
            var entry = byDate[reading.Ms];
            Assert.Equal("sgv", entry.GetProperty("type").GetString());
            Assert.Equal(reading.Mgdl, entry.GetProperty("sgv").GetInt32());
            Assert.Equal(reading.Trend, entry.GetProperty("trend").GetInt32());
            Assert.Equal(Directions[reading.Trend], entry.GetProperty("direction").GetString());
            Assert.Equal("nocturne-dexcom-share", entry.GetProperty("device").GetString());
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(reading.Ms).UtcDateTime, entry.GetProperty("dateString").GetDateTime().ToUniversalTime());
        }

        // The first poll backfilled the whole day Dexcom allows, in one read.
        Assert.Contains((user, 1440, 288), host.Dexcom.Reads);

        // They are in v3 history too.
        var token = await host.Api.CreateSubjectAsync(site, secret, "reader", "readable");
        using var v3 = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v3/entries/history/0?limit=1000");
        v3.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await host.Api.JwtAsync(site, token));
        var (v3Status, history) = await host.Api.SendAsync(v3);
        Assert.Equal(200, v3Status);
        Assert.Equal(readings.Count, history.GetProperty("result").GetArrayLength());

        // Later ticks pick up a new reading and never duplicate the old ones.
        var syncs = (await host.StatusAsync(site, secret, "dexcom")).GetProperty("syncs").GetInt64();
        var backfilled = readings.Count;
        account.Readings.Add(new FakeReading(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000, 222, 4));
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.EntriesAsync(site, secret)).Any(e => e.GetProperty("sgv").GetInt32() == 222)));
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "dexcom")).GetProperty("syncs").GetInt64() >= syncs + 2));
        Assert.Equal(backfilled + 1, (await host.EntriesAsync(site, secret)).Count);

        var status = await host.StatusAsync(site, secret, "dexcom");
        AssertHealth("healthy", status);
        Assert.Equal(backfilled + 1, status.GetProperty("written").GetProperty("entries").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("lastSuccessAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Undefined, status.GetProperty("nextPollAt").ValueKind);

        // Its short period must not go on polling the shared fake (and take another test's queued faults).
        await host.RemoveAsync(site, secret, "dexcom");
    }

    [Fact]
    public async Task OverlappingSyncsAndAFullResyncCreateNoDuplicatesAndChangeNothing()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-6), now.AddMinutes(-1), TimeSpan.FromMinutes(5));
        var (site, secret, user, account) = await SiteWithAccountAsync(readings);
        await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 3600);

        // Several syncs at once (the API's and a full re-read) run as one, or one after the other.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => host.SyncAsync(site, secret, "dexcom", full: i % 2 == 0)));
        Assert.Equal(readings.Count, (await host.EntriesAsync(site, secret)).Count);

        // A full re-sync reads the whole window again and stores nothing new, modifies nothing:
        // v3 history after the previous newest srvModified stays empty.
        var token = await host.Api.CreateSubjectAsync(site, secret, "reader", "readable");
        var jwt = await host.Api.JwtAsync(site, token);
        var lastModified = (await V3GetAsync(site, jwt, "/api/v3/lastModified")).GetProperty("result").GetProperty("collections").GetProperty("entries").GetInt64();
        var before = await host.Api.GetOkAsync(site, secret, "/api/v1/entries.json?count=2000");
        await host.SyncAsync(site, secret, "dexcom", full: true);
        var after = await host.Api.GetOkAsync(site, secret, "/api/v1/entries.json?count=2000");
        Assert.Equal(before.ToString(), after.ToString());
        Assert.Equal(0, (await V3GetAsync(site, jwt, $"/api/v3/entries/history/{lastModified}")).GetProperty("result").GetArrayLength());
        Assert.True(host.Dexcom.Reads.Count(r => r.Account == user && r.Minutes == 1440) >= 2);
    }

    [Fact]
    public async Task AnOutageIsFilledInByTheNextSync()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-5), now.AddHours(-2), TimeSpan.FromMinutes(5));
        var (site, secret, user, account) = await SiteWithAccountAsync(readings);
        await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 3600);
        await host.SyncAsync(site, secret, "dexcom");
        var first = readings.Count;
        Assert.Equal(first, (await host.EntriesAsync(site, secret)).Count);

        // Dexcom is down while two hours of readings pile up there.
        host.Dexcom.Down = true;
        try
        {
            readings.AddRange(FakeReading.Series(now.AddHours(-2).AddMinutes(5), now.AddMinutes(-1), TimeSpan.FromMinutes(5)));
            var failed = await host.SyncAsync(site, secret, "dexcom");
            AssertHealth("failing", failed);
            Assert.Contains("503", failed.GetProperty("lastError").GetProperty("message").GetString());
            Assert.False(failed.GetProperty("lastError").GetProperty("permanent").GetBoolean());
            failed = await host.SyncAsync(site, secret, "dexcom");
            Assert.Equal(2, failed.GetProperty("consecutiveFailures").GetInt32());
            Assert.NotEqual(JsonValueKind.Null, failed.GetProperty("backoffUntil").ValueKind);
        }
        finally
        {
            host.Dexcom.Down = false;
        }

        var recovered = await host.SyncAsync(site, secret, "dexcom");
        AssertHealth("healthy", recovered);
        var dates = (await host.EntriesAsync(site, secret)).Select(e => e.GetProperty("date").GetInt64()).ToHashSet();
        Assert.Equal(readings.Select(r => r.Ms).ToHashSet(), dates);
    }

    [Fact]
    public async Task AnExpiredSessionLogsInAgainOnce()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-1), now.AddMinutes(-10), TimeSpan.FromMinutes(5));
        var (site, secret, user, account) = await SiteWithAccountAsync(readings);
        await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 3600);
        await host.SyncAsync(site, secret, "dexcom");
        var logins = host.Dexcom.Logins.GetValueOrDefault(user);

        // The session is reused while Dexcom knows it...
        readings.Add(new FakeReading(now.AddMinutes(-5).ToUnixTimeMilliseconds(), 150, 4));
        await host.SyncAsync(site, secret, "dexcom");
        Assert.Equal(logins, host.Dexcom.Logins.GetValueOrDefault(user));

        // ...and renewed once when Dexcom has forgotten it.
        host.Dexcom.ExpireSessions();
        readings.Add(new FakeReading(now.AddMinutes(-1).ToUnixTimeMilliseconds(), 160, 4));
        var status = await host.SyncAsync(site, secret, "dexcom");
        AssertHealth("healthy", status);
        Assert.Equal(logins + 1, host.Dexcom.Logins.GetValueOrDefault(user));
        Assert.Contains(await host.EntriesAsync(site, secret), e => e.GetProperty("sgv").GetInt32() == 160);
    }

    [Fact]
    public async Task AWrongPasswordPausesPollingAndShowsInTheStatusWithoutHammeringDexcom()
    {
        var (site, secret, user, account) = await SiteWithAccountAsync(FakeReading.Series(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        await ConfigureAsync(site, secret, user, "not-the-password", intervalSeconds: 1);

        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.StatusAsync(site, secret, "dexcom")).GetProperty("health").GetString() == "paused"));
        var status = await host.StatusAsync(site, secret, "dexcom");
        Assert.True(status.GetProperty("lastError").GetProperty("permanent").GetBoolean());
        Assert.Contains("AccountPasswordInvalid", status.GetProperty("lastError").GetProperty("message").GetString());
        Assert.False(status.TryGetProperty("nextPollAt", out _), "a paused connector has no next poll");
        // One attempt, not retried, so the account is not locked by us.
        Assert.Equal(1, account.FailedLogins);

        // Several reminder periods later nobody has asked Dexcom again.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(1, account.FailedLogins);
        Assert.Empty(await host.EntriesAsync(site, secret));

        // The user fixes the password: polling resumes.
        await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 1);
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.EntriesAsync(site, secret)).Count > 0));
        AssertHealth("healthy", (await host.StatusAsync(site, secret, "dexcom")));

        // Its short period must not go on polling the shared fake (and take another test's queued faults).
        await host.RemoveAsync(site, secret, "dexcom");
    }

    [Fact]
    public async Task TransientFaultsAreRetriedOrBackedOffAndReported()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-1), now.AddMinutes(-1), TimeSpan.FromMinutes(5));
        var (site, secret, user, account) = await SiteWithAccountAsync(readings);
        await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 3600);
        await host.SyncAsync(site, secret, "dexcom");
        const string read = "ReadPublisherLatestGlucoseValues";

        // A short Retry-After is waited out within the same sync.
        host.Dexcom.Faults.Enqueue(new VendorFault(VendorFaultKind.RateLimited, read, RetryAfterSeconds: 1));
        AssertHealth("healthy", (await host.SyncAsync(site, secret, "dexcom")));

        // A hang is cut by the per-attempt timeout and retried.
        host.Dexcom.Faults.Enqueue(new VendorFault(VendorFaultKind.Hang, read));
        AssertHealth("healthy", (await host.SyncAsync(site, secret, "dexcom")));

        // Malformed JSON fails the sync, stores nothing and says why.
        host.Dexcom.Faults.Enqueue(new VendorFault(VendorFaultKind.Malformed, read));
        var malformed = await host.SyncAsync(site, secret, "dexcom");
        AssertHealth("failing", malformed);
        Assert.Contains("Malformed", malformed.GetProperty("lastError").GetProperty("message").GetString());

        // A long Retry-After is honoured: no request to Dexcom until it has passed.
        host.Dexcom.Faults.Enqueue(new VendorFault(VendorFaultKind.RateLimited, read, RetryAfterSeconds: 600));
        var limited = await host.SyncAsync(site, secret, "dexcom");
        AssertHealth("failing", limited);
        Assert.True(limited.GetProperty("backoffUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(9));
        Assert.Equal(readings.Count, (await host.EntriesAsync(site, secret)).Count);

        // What an operator sees: syncs by kind and outcome, and the requests sent to the vendor.
        var metrics = await host.MetricsAsync(m => m.Contains("kind=\"dexcom\",outcome=\"failing\"", StringComparison.Ordinal));
        Assert.Contains("kind=\"dexcom\",outcome=\"healthy\"", metrics, StringComparison.Ordinal);
        Assert.Contains("nocturne_connector_vendor_requests_total{otel_scope_name=\"Nocturne\",kind=\"dexcom\"}", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(user, metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInputIsRefusedWithANightscoutErrorAndStoresNothing()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("dexbad");
        var cases = new (string Kind, object Body, string Expect)[]
        {
            ("dexcom", new { password = "x", region = "us" }, "username"),
            ("dexcom", new { username = "u", region = "us" }, "password"),
            ("dexcom", new { username = "u", password = "p", region = "mars" }, "region"),
            ("dexcom", new { username = "u", password = "p", intervalSeconds = 0 }, "intervalSeconds"),
            ("dexcom", new { username = "u", password = "p", backfillDays = 30 }, "backfillDays"),
            ("carelink-of-mars", new { username = "u", password = "p" }, "Unknown connector"),
        };
        foreach (var (kind, body, expect) in cases)
        {
            var (status, error) = await host.ConfigureAsync(site, secret, kind, body);
            Assert.Equal(400, status);
            Assert.Equal(400, error.GetProperty("status").GetInt32());
            Assert.Contains(expect, error.GetProperty("message").GetString() + error.GetProperty("description").ToString(), StringComparison.Ordinal);
        }

        Assert.False((await host.StatusAsync(site, secret, "dexcom")).GetProperty("configured").GetBoolean());
        var (statusOfUnknown, _) = await host.Api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v4/connectors/unknown");
        Assert.Equal(400, statusOfUnknown);
        var (notJson, _) = await host.Api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Put, "/api/v4/connectors/dexcom", MultiSiteApi.Sha1(secret)));
        Assert.Equal(400, notJson);
    }

    [Fact]
    public async Task RemovingStopsPollingErasesCredentialsAndKeepsTheData()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-1), now.AddMinutes(-1), TimeSpan.FromMinutes(5));
        var (site, secret, user, account) = await SiteWithAccountAsync(readings);
        await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 1);
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.EntriesAsync(site, secret)).Count == readings.Count));

        var (deleted, _) = await host.Api.SendAsAdminAsync(site, secret, HttpMethod.Delete, "/api/v4/connectors/dexcom");
        Assert.Equal(200, deleted);
        var status = await host.StatusAsync(site, secret, "dexcom");
        Assert.False(status.GetProperty("configured").GetBoolean());
        Assert.Equal("unconfigured", status.GetProperty("health").GetString());

        // Other tests' connectors go on polling the same fake: count this account's reads only.
        var reads = host.Dexcom.ReadsByAccount.GetValueOrDefault(user);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(reads, host.Dexcom.ReadsByAccount.GetValueOrDefault(user));
        Assert.Equal(readings.Count, (await host.EntriesAsync(site, secret)).Count);
        var (again, _) = await host.Api.SendAsAdminAsync(site, secret, HttpMethod.Delete, "/api/v4/connectors/dexcom");
        Assert.Equal(404, again);
        var (sync, _) = await host.Api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/connectors/dexcom/sync");
        Assert.Equal(404, sync);
    }

    [Fact]
    public async Task TestLogsInAndSaysWhatDexcomAnswered()
    {
        var (site, secret, user, account) = await SiteWithAccountAsync([]);
        await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 3600);
        var (status, ok) = await host.Api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/connectors/dexcom/test");
        Assert.Equal(200, status);
        Assert.True(ok.GetProperty("ok").GetBoolean());

        await ConfigureAsync(site, secret, user, "wrong-password", intervalSeconds: 3600);
        var (_, refused) = await host.Api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/connectors/dexcom/test");
        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.True(refused.GetProperty("permanent").GetBoolean(), refused.ToString());
        Assert.Contains("AccountPasswordInvalid", refused.GetProperty("message").GetString());
    }

    [Fact]
    public async Task NumericTrendsMapLikeNamedOnes()
    {
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddMinutes(-50), now.AddMinutes(-1), TimeSpan.FromMinutes(5));
        var (site, secret, user, account) = await SiteWithAccountAsync(readings);
        host.Dexcom.TrendsAsNames = false;
        try
        {
            await ConfigureAsync(site, secret, user, account.Password, intervalSeconds: 3600);
            await host.SyncAsync(site, secret, "dexcom");
        }
        finally
        {
            host.Dexcom.TrendsAsNames = true;
        }

        var byDate = (await host.EntriesAsync(site, secret)).ToDictionary(e => e.GetProperty("date").GetInt64());
        Assert.All(readings, r => Assert.Equal(Directions[r.Trend], byDate[r.Ms].GetProperty("direction").GetString()));
    }

    private async Task<JsonElement> V3GetAsync(string site, string jwt, string path)
    {
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", jwt);
        var (status, body) = await host.Api.SendAsync(request);
        Assert.True(status == 200, $"{path}: {status} {body}");
        return body;
    }

    [Fact]
    public async Task ADisabledConnectorKeepsItsSettingsButDoesNotPoll()
    {
        var now = DateTimeOffset.UtcNow;
        var (site, secret, user, account) = await SiteWithAccountAsync(FakeReading.Series(now.AddHours(-1), now.AddMinutes(-1), TimeSpan.FromMinutes(5)));
        var (status, body) = await host.ConfigureAsync(site, secret, "dexcom", new { enabled = false, username = user, password = account.Password, intervalSeconds = 1 });
        Assert.Equal(200, status);
        AssertHealth("disabled", body);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(0, host.Dexcom.ReadsByAccount.GetValueOrDefault(user));
        Assert.Empty(await host.EntriesAsync(site, secret));

        // Enabled again without repeating the password: it polls.
        (status, body) = await host.ConfigureAsync(site, secret, "dexcom", new { enabled = true, username = user, intervalSeconds = 1 });
        Assert.True(status == 200, body.ToString());
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await host.EntriesAsync(site, secret)).Count > 0));

        // Its short period must not go on polling the shared fake (and take another test's queued faults).
        await host.RemoveAsync(site, secret, "dexcom");
    }

    private static void AssertHealth(string expected, JsonElement status) =>
        Assert.True(status.GetProperty("health").GetString() == expected, $"expected {expected}: {status}");
}
