using System.Net;
using System.Text.Json;
using Nocturne.Grains.Storage;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Foundation;

/// <summary>
/// PostgreSQL going away is a 503 with the Nightscout error shape and a failing readiness
/// probe; PostgreSQL coming back is noticed without restarting the server.
/// </summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task StoppingPostgresMakesTheServerUnreadyAndItRecoversWhenPostgresReturns()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await new SchemaMigrator(postgres.ConnectionString).MigrateAsync();
        await using var factory = new NocturneApiFactory(postgres.ConnectionString);
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/status.json")).StatusCode);

        await postgres.StopAsync();

        using (var ready = await client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var doc = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("Unhealthy", doc.RootElement.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
        }

        foreach (var path in new[] { "/api/v1/status.json", "/api/v3/version" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.Contains("Retry-After"));
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(503, doc.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("Database unavailable", doc.RootElement.GetProperty("message").GetString());
        }

        // Liveness does not depend on the database: restarting the process would not help.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        await postgres.StartAgainAsync();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            status = (await client.GetAsync("/api/v1/status.json")).StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v3/version")).StatusCode);
    }
    [Fact]
    public async Task ASiteWhoseSettingsCannotBeLoadedAnswersEveryKindOfRequestWith503()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await new SchemaMigrator(postgres.ConnectionString).MigrateAsync();
        (string Id, string Secret) site;
        await using (var first = new NocturneApiFactory(postgres.ConnectionString, MultiSiteApi.Settings()))
        {
            using var client = first.CreateClient();
            site = await MultiSiteApi.CreateSiteAsync(client, "outage", new { enable = new[] { "careportal", "cors" } });
        }

        // A fresh server knows nothing of the site: its settings (and so its cors answer) need PostgreSQL.
        await using var factory = new NocturneApiFactory(postgres.ConnectionString, MultiSiteApi.Settings());
        using var fresh = factory.CreateClient();
        await postgres.StopAsync();
        var requests = new (HttpMethod Method, string Path, string? Secret, object? Body)[]
        {
            (HttpMethod.Get, "/api/v1/entries.json", MultiSiteApi.Sha1(site.Secret), null),
            (HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(site.Secret), new { type = "sgv", sgv = 120, date = 1_700_000_000_000 }),
            (HttpMethod.Get, "/api/v1/entries.json", null, null),
            (HttpMethod.Get, "/api/v1/no-such-route", null, null),
            (HttpMethod.Get, "/api/v3/version", null, null),
            (HttpMethod.Options, "/api/v1/entries.json", null, null),
        };
        foreach (var (method, path, secret, body) in requests)
        {
            using var response = await fresh.SendAsync(MultiSiteApi.SiteRequest(site.Id, method, path, secret, body));
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path}: {(int)response.StatusCode}");
            Assert.True(response.Headers.Contains("Retry-After"), $"{method} {path} has no Retry-After");
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(503, doc.RootElement.GetProperty("status").GetInt32());
        }

        await postgres.StartAgainAsync();
    }
}
