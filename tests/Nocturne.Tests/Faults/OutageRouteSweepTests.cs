using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Api.Authorization;
using Nocturne.Api.Health;
using Nocturne.Grains.Storage;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Faults;

/// <summary>
/// Every route of the server, called the way its clients call it while PostgreSQL is gone (on a
/// server that has the site in memory and on one that never loaded it) and while the silo of every
/// grain is lost: an answer is a 503 with
/// <c>Retry-After</c> in the Nightscout shape, a refusal that needs no database (4xx), or a read
/// served from memory; never a 500 and never a broken response. Each request meets the outage
/// itself, as the first one after PostgreSQL dies does, not only the shortcut answer that follows.
/// </summary>
public sealed class OutageRouteSweepTests
{
    [Fact]
    public async Task WithPostgresGoneEveryRouteAnswersA503WithRetryAfterOrARefusalNeverA500()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await new SchemaMigrator(postgres.ConnectionString).MigrateAsync();
        await using var loaded = new NocturneApiFactory(postgres.ConnectionString, MultiSiteApi.Settings());
        using var loadedClient = loaded.CreateClient();
        var (site, secret) = await MultiSiteApi.CreateSiteAsync(loadedClient, "sweep", new { enable = new[] { "careportal", "cors" } });
        foreach (var path in new[] { "/api/v1/status.json", "/api/v1/entries.json", "/api/v2/properties", "/api/v1/treatments.json" })
        {
            using var warm = await loadedClient.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, path, MultiSiteApi.Sha1(secret)));
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await using var fresh = new NocturneApiFactory(postgres.ConnectionString, MultiSiteApi.Settings());
        using var freshClient = fresh.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await freshClient.GetAsync("/health/live")).StatusCode);

        await postgres.StopAsync();
        var failures = new List<string>();
        foreach (var (server, client, name) in new[] { (loaded, loadedClient, "site loaded"), (fresh, freshClient, "site never loaded") })
        {
            var availability = server.Services.GetRequiredService<PostgresAvailability>();
            failures.AddRange(await SweepAsync(server, client, site, MultiSiteApi.Sha1(secret), name, availability.MarkAvailable));
        }

        await postgres.StartAgainAsync();
        Assert.Empty(failures);
    }

    [Fact]
    public async Task WithEveryGrainOnALostSiloEveryRouteAnswersA503WithRetryAfterOrARefusalNeverA500()
    {
        var lostSilo = new LostSiloFault();
        await using var api = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), MultiSiteApi.Settings(),
            services => services.AddSingleton<Orleans.IOutgoingGrainCallFilter>(lostSilo));
        using var client = api.CreateClient();
        var (site, secret) = await MultiSiteApi.CreateSiteAsync(client, "lost", new { enable = new[] { "careportal", "cors" } });
        using (var warm = await client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json", MultiSiteApi.Sha1(secret))))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        lostSilo.Failing = true;
        var failures = new List<string>();
        // With the admin secret the site's grant is at hand (cached) and the handlers' calls fail;
        // without credentials the access check's own call fails first.
        failures.AddRange(await SweepAsync(api, client, site, MultiSiteApi.Sha1(secret), "admin", () => { }));
        failures.AddRange(await SweepAsync(api, client, site, null, "anonymous", () => { }));
        lostSilo.Failing = false;
        Assert.Empty(failures);
        Assert.True(lostSilo.Thrown > 0);
    }

    private static async Task<List<string>> SweepAsync(NocturneApiFactory server, HttpClient client, string site, string? secret, string name, Action beforeEach)
    {
        var failures = new List<string>();
        foreach (var route in RouteCatalog.Of(server.Services))
        {
            beforeEach();
            using var request = RequestFor(route, site, secret);
            try
            {
                using var response = await client.SendAsync(request);
                var problem = await ProblemWithAsync(response, nightscoutShape: route.Access is not EndpointAccess.Infrastructure);
                if (problem is not null)
                {
                    failures.Add($"{name}: {route.Method} {route.Pattern}: {problem}");
                }
            }
            catch (Exception ex)
            {
                failures.Add($"{name}: {route.Method} {route.Pattern} broke the response: {ex.GetType().Name}: {ex.Message}");
            }
        }

        return failures;
    }

    /// <summary>Every call from outside a grain to one of our grains fails as when its silo has just died.</summary>
    private sealed class LostSiloFault : Orleans.IOutgoingGrainCallFilter
    {
        private int _thrown;

        public volatile bool Failing;

        public int Thrown => Volatile.Read(ref _thrown);

        public Task Invoke(Orleans.IOutgoingGrainCallContext context)
        {
            if (Failing && context.SourceContext is null && context.InterfaceMethod?.DeclaringType?.Namespace?.StartsWith("Nocturne.", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref _thrown);
                throw new Orleans.Runtime.SiloUnavailableException("The silo of this grain was lost (test fault)");
            }

            return context.Invoke();
        }
    }

    private static HttpRequestMessage RequestFor(RouteSample route, string site, string? secret)
    {
        var path = RouteCatalog.Concrete(route.Pattern);
        var request = route.Access switch
        {
            EndpointAccess.Operator => MultiSiteApi.OperatorRequest(new HttpMethod(route.Method), path),
            EndpointAccess.Infrastructure => new HttpRequestMessage(new HttpMethod(route.Method), path),
            _ => MultiSiteApi.SiteRequest(site, new HttpMethod(route.Method), path, secret),
        };
        if (route.Method is "POST" or "PUT" or "PATCH")
        {
            // A document most collections accept, so that writes get as far as storing it.
            request.Content = JsonContent.Create(new
            {
                type = "sgv", sgv = 120, date = 1_700_000_000_000, eventType = "Note", created_at = "2023-11-14T22:13:20.000Z",
                name = "sweep", notes = "outage", identifier = "0123456789abcdef01234567",
            });
        }

        return request;
    }

    // Health probes answer in the health-check shape (checks by name), not Nightscout's.
    private static async Task<string?> ProblemWithAsync(HttpResponseMessage response, bool nightscoutShape)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (status < 500)
        {
            return null;
        }

        if (status != 503)
        {
            return $"{status} {body[..Math.Min(body.Length, 200)]}";
        }

        if (!response.Headers.Contains("Retry-After"))
        {
            return "503 without Retry-After";
        }

        if (!nightscoutShape)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == 503
                ? null
                : $"503 not in the Nightscout shape: {body[..Math.Min(body.Length, 200)]}";
        }
        catch (JsonException)
        {
            return $"503 not in the Nightscout shape: {body[..Math.Min(body.Length, 200)]}";
        }
    }
}
