using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// A disabled site serves no data on any data route, to any credential: its API secret, an
/// access token, a JWT issued before it was disabled, or anonymous readers it used to allow.
/// </summary>
public sealed class DisabledSiteTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static readonly string[] DataRoutes =
    [
        "/api/v1/entries.json", "/api/v1/entries/current.json", "/api/v1/treatments.json", "/api/v1/devicestatus.json",
        "/api/v1/profile.json", "/api/v2/properties", "/api/v2/ddata/at", "/api/v3/entries", "/api/v3/treatments/history/0",
        "/api/v1/count/entries/where", "/pebble",
    ];

    [Fact]
    public async Task NoCredentialReadsTheDataOfADisabledSite()
    {
        // Readable by anonymous callers, as many public Nightscout sites are.
        var (site, secret) = await api.CreateSiteAsync("off", new { authDefaultRoles = new[] { "readable" } });
        var token = await api.CreateSubjectAsync(site, secret, "follower", "readable");
        var jwt = await api.JwtAsync(site, token);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries",
            new { type = "sgv", date = now.AddMinutes(-1).ToUnixTimeMilliseconds(), sgv = 187, device = "cgm" })).Status);
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments",
            new { eventType = "Note", created_at = now.AddMinutes(-2).ToString("o"), notes = "private note" })).Status);

        var credentials = new (string Name, Action<HttpRequestMessage> Apply)[]
        {
            ("api-secret", r => r.Headers.Add("api-secret", MultiSiteApi.Sha1(secret))),
            ("token", r => r.RequestUri = new Uri(r.RequestUri!.OriginalString + "?token=" + token, UriKind.Relative)),
            ("JWT", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt)),
            ("anonymous", _ => { }),
        };

        // While enabled every credential reads the data (so the checks below can fail).
        foreach (var (name, apply) in credentials)
        {
            var (status, body) = await GetAsync(site, "/api/v1/entries.json", apply);
            Assert.True(status == 200 && body.Contains("187", StringComparison.Ordinal), $"{name} could not read an enabled site");
        }

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/disable"))).Status);

        var served = new List<string>();
        foreach (var route in DataRoutes)
        {
            foreach (var (name, apply) in credentials)
            {
                var (status, body) = await GetAsync(site, route, apply);
                if (status is >= 200 and < 300 || body.Contains("187", StringComparison.Ordinal) || body.Contains("private note", StringComparison.Ordinal))
                {
                    served.Add($"{route} with {name}: {status}");
                }
            }
        }

        Assert.Empty(served);
    }

    [Fact]
    public async Task ThePatientGrainRefusesReadsAsSoonAsTheSiteIsDisabledOrDeleted()
    {
        // Below the API's own check: the grain that holds the data keeps the site's state, and is told of each change.
        var (site, secret) = await api.CreateSiteAsync("offgrain");
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries",
            new { type = "sgv", date = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), sgv = 187, device = "cgm" })).Status);
        var patient = api.Factory.Services.GetRequiredService<IGrainFactory>().Site(site).Documents;
        Assert.NotNull(await patient.GetRecentEntriesAsync(1, null));
        Assert.NotNull(await patient.GetPropertiesAsync(null));

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/disable"))).Status);
        Assert.Null(await patient.GetRecentEntriesAsync(1, null));
        Assert.Null(await patient.GetPropertiesAsync(null));

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/enable"))).Status);
        Assert.NotNull(await patient.GetRecentEntriesAsync(1, null));

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Delete, $"/api/admin/tenants/{site}?confirm={site}"))).Status);
        Assert.Null(await patient.GetRecentEntriesAsync(1, null));
        Assert.Null(await patient.GetPropertiesAsync(null));
    }

    private async Task<(int Status, string Body)> GetAsync(string site, string path, Action<HttpRequestMessage> apply)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/t/{site}{path}");
        request.Headers.Accept.ParseAdd("application/json");
        apply(request);
        using var response = await api.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
