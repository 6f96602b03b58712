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
        Assert.Contains((1440, 288), host.Dexcom.Reads);

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
        Assert.Equal("healthy", status.GetProperty("health").GetString());
        Assert.Equal(backfilled + 1, status.GetProperty("written").GetProperty("entries").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("lastSuccessAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Undefined, status.GetProperty("nextPollAt").ValueKind);
    }
}
