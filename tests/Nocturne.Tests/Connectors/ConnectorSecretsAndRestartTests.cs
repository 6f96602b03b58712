using System.Text.Json;
using Npgsql;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// Credentials and vendor sessions never appear in clear in PostgreSQL, logs or answers;
/// reminders survive a restart; the operator sees connectors per kind and health.
/// </summary>
public sealed class ConnectorSecretsAndRestartTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    [Fact]
    public async Task CredentialsAndSessionsAreNeverInClearInPostgresLogsOrAnswers()
    {
        var now = DateTimeOffset.UtcNow;
        var (site, secret) = await host.Api.CreateSiteAsync("secret");
        var user = $"share-user-{Guid.NewGuid():N}"[..24];
        var password = $"Pa55-{Guid.NewGuid():N}";
        host.Dexcom.AddAccount(user, password, FakeReading.Series(now.AddHours(-1), now, TimeSpan.FromMinutes(5)));
        var (status, configured) = await host.ConfigureAsync(site, secret, "dexcom", new { username = user, password, intervalSeconds = 3600 });
        Assert.Equal(200, status);
        var synced = await host.SyncAsync(site, secret, "dexcom");
        Assert.Equal("healthy", synced.GetProperty("health").GetString());
        var (_, tested) = await host.Api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/connectors/dexcom/test");
        var list = await host.Api.GetOkAsync(site, secret, "/api/v4/connectors");
        var sessions = host.Dexcom.IssuedSessions.ToList();
        Assert.NotEmpty(sessions);

        var secrets = sessions.Append(password).ToList();
        foreach (var answer in new[] { configured, synced, tested, list })
        {
            Assert.DoesNotContain(secrets, s => answer.ToString().Contains(s, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(host.Logs.Lines, line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));

        // Every row of every table, grain state decoded, holds neither the password nor a session id...
        await using var connection = new NpgsqlConnection(await TestServices.MigratedPostgresAsync());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list2 = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list2.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("orleans_grain_state", tables);
        foreach (var needle in secrets)
        {
            foreach (var table in tables)
            {
                var sql = table == "orleans_grain_state"
                    ? "SELECT count(*) FROM orleans_grain_state WHERE position(@n in convert_from(payload, 'UTF8')) > 0"
                    : $"SELECT count(*) FROM \"{table}\" t WHERE position(@n in t::text) > 0";
                await using var count = new NpgsqlCommand(sql, connection);
                count.Parameters.AddWithValue("n", needle);
                Assert.True((long)(await count.ExecuteScalarAsync())! == 0, $"a secret in clear in {table}");
            }
        }

        // ...while the connector's state row is there, with ciphertext where the secrets were.
        await using var state = new NpgsqlCommand(
            "SELECT convert_from(payload, 'UTF8') FROM orleans_grain_state WHERE grain_type = 'connector' AND grain_id_ext LIKE '%' || @k || '%'", connection);
        state.Parameters.AddWithValue("k", $"{site}/dexcom");
        var json = JsonDocument.Parse((string)(await state.ExecuteScalarAsync())!).RootElement;
        Assert.StartsWith("v1.", json.GetProperty("ProtectedPassword").GetString());
        Assert.StartsWith("v1.", json.GetProperty("ProtectedSession").GetString());
    }

    [Fact]
    public async Task TheOperatorSeesConnectorsPerKindAndHealth()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("ops");
        await host.ConfigureAsync(site, secret, "dexcom", new { username = "nobody-at-all", password = "x", intervalSeconds = 3600 });
        await host.SyncAsync(site, secret, "dexcom");

        var (status, overview) = await host.Api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Get, "/api/admin/connectors"));
        Assert.Equal(200, status);
        var dexcom = overview.EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "dexcom");
        Assert.True(dexcom.GetProperty("byHealth").GetProperty("paused").GetInt32() >= 1);
        Assert.True(dexcom.GetProperty("total").GetInt32() >= 1);
        Assert.Contains(overview.EnumerateArray(), k => k.GetProperty("kind").GetString() == "librelinkup");

        // A site's admin secret does not open the operator view.
        var (refused, _) = await host.Api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/admin/connectors");
        Assert.True(refused is 401 or 403 or 404, $"got {refused}");
    }

    [Fact]
    public async Task RemindersKeepPollingAfterARestart()
    {
        var serviceId = TestServices.UniqueServiceId("conn");
        var settings = MultiSiteApi.Settings();
        foreach (var (key, value) in ConnectorHost.Settings(host.Dexcom, host.Libre))
        {
            settings[key] = value;
        }

        settings["Cluster:ServiceId"] = serviceId;
        settings["Cluster:ClusterId"] = serviceId;
        var now = DateTimeOffset.UtcNow;
        var user = $"restart-{Guid.NewGuid():N}"[..20];
        var readings = FakeReading.Series(now.AddMinutes(-30), now.AddMinutes(-1), TimeSpan.FromMinutes(5));
        var account = host.Dexcom.AddAccount(user, "restart-password", readings);
        string site;
        string secret;

        await using (var first = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), settings))
        {
            using var client = first.CreateClient();
            site = $"restart-{Guid.NewGuid():N}"[..20];
            secret = $"secret-of-{site}";
            using var create = MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id = site, displayName = site, apiSecret = secret });
            Assert.Equal(System.Net.HttpStatusCode.Created, (await client.SendAsync(create)).StatusCode);
            using var put = MultiSiteApi.SiteRequest(site, HttpMethod.Put, "/api/v4/connectors/dexcom", MultiSiteApi.Sha1(secret),
                new { username = user, password = account.Password, intervalSeconds = 2 });
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.SendAsync(put)).StatusCode);
        }

        // While no silo runs, a new reading arrives at Dexcom; the restarted silo's reminder fetches it unasked.
        readings.Add(new FakeReading(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000, 199, 4));
        await using var second = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), settings);
        using var client2 = second.CreateClient();
        Assert.True(await ConnectorHost.EventuallyAsync(async () =>
        {
            using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json?count=100", MultiSiteApi.Sha1(secret));
            using var response = await client2.SendAsync(request);
            return (await response.Content.ReadAsStringAsync()).Contains("\"sgv\":199", StringComparison.Ordinal);
        }));
    }
}
