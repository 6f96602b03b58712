using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// The API keeps the grant each credential earned for a moment (so polling followers cost no call
/// to the access grain); every credential below is used just before the change, so that a grant
/// kept across it would show. A change is refused or granted on the very next request.
/// </summary>
public sealed class CachedGrantTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private const string Current = "/api/v1/entries/current.json";

    private ISiteAccessGrain Access(string site) => api.Factory.Services.GetRequiredService<IGrainFactory>().Site(site).Access;

    private Task<int> StatusAsync(string site, Action<HttpRequestMessage> credential)
    {
        var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, Current);
        credential(request);
        return StatusOfAsync(request);
    }

    private async Task<int> StatusOfAsync(HttpRequestMessage request) => (await api.SendAsync(request)).Status;

    private static Action<HttpRequestMessage> Secret(string secret) => r => r.Headers.Add("api-secret", MultiSiteApi.Sha1(secret));

    private static Action<HttpRequestMessage> Token(string token) => r => r.RequestUri = new Uri(r.RequestUri!.OriginalString + "?token=" + token, UriKind.Relative);

    private static Action<HttpRequestMessage> Bearer(string jwt) => r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);

    private async Task AssertServedTwiceAsync(string site, Action<HttpRequestMessage> credential, string what)
    {
        Assert.True(await StatusAsync(site, credential) == 200, $"{what} was refused");
        Assert.True(await StatusAsync(site, credential) == 200, $"{what} was refused the second time");
    }

    [Fact]
    public async Task AChangedSecretADeletedSubjectAndADisabledSiteAreRefusedAtOnce()
    {
        var (site, secret) = await api.CreateSiteAsync("grants", new { authDefaultRoles = new[] { "denied" } });
        var token = await api.CreateSubjectAsync(site, secret, "phone", "readable");
        var jwt = await api.JwtAsync(site, token);
        await AssertServedTwiceAsync(site, Secret(secret), "the secret");
        await AssertServedTwiceAsync(site, Token(token), "the token");
        await AssertServedTwiceAsync(site, Bearer(jwt), "the JWT");

        // A new secret (as a restart with another API_SECRET applies it): the old one stops, the new one works.
        var settings = await Access(site).GetSettingsAsync();
        Assert.Equal(Nocturne.Grains.Interfaces.Authorization.ChangeStatus.Done,
            (await Access(site).ProvisionAsync(new SiteProvisioning(site, "a-brand-new-secret", settings!), overwrite: true)).Status);
        Assert.Equal(401, await StatusAsync(site, Secret(secret)));
        await AssertServedTwiceAsync(site, Secret("a-brand-new-secret"), "the new secret");

        var (_, subjects) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/subjects", MultiSiteApi.Sha1("a-brand-new-secret")));
        var id = subjects.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "phone").GetProperty("_id").GetString();
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, $"/api/v2/authorization/subjects/{id}", MultiSiteApi.Sha1("a-brand-new-secret")))).Status);
        Assert.Equal(401, await StatusAsync(site, Token(token)));
        Assert.Equal(401, await StatusAsync(site, Bearer(jwt)));

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/disable"))).Status);
        Assert.Equal(401, await StatusAsync(site, Secret("a-brand-new-secret")));
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/enable"))).Status);
        Assert.Equal(200, await StatusAsync(site, Secret("a-brand-new-secret")));
    }

    [Fact]
    public async Task AnonymousReadersFollowTheDefaultRolesAtOnce()
    {
        var (site, _) = await api.CreateSiteAsync("anongrant", new { authDefaultRoles = new[] { "readable" } });
        await AssertServedTwiceAsync(site, _ => { }, "an anonymous reader");

        var settings = await Access(site).GetSettingsAsync();
        Assert.True(await Access(site).ConfigureSettingsAsync(settings! with { AuthDefaultRoles = ["denied"] }));
        Assert.Equal(401, await StatusAsync(site, _ => { }));

        Assert.True(await Access(site).ConfigureSettingsAsync(settings with { AuthDefaultRoles = ["readable"] }));
        Assert.Equal(200, await StatusAsync(site, _ => { }));
    }

    [Fact]
    public async Task CorsHeadersFollowTheSiteSettingsAtOnceOnEveryAnswer()
    {
        var (site, secret) = await api.CreateSiteAsync("corsgrant");
        var read = MultiSiteApi.SiteRequest(site, HttpMethod.Get, Current, MultiSiteApi.Sha1(secret));
        using (var response = await api.Client.SendAsync(read))
        {
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        }

        var settings = await Access(site).GetSettingsAsync();
        Assert.True(await Access(site).ConfigureSettingsAsync(settings! with { Enable = [.. settings.Enable, "cors"] }));
        foreach (var (path, status) in new[] { (Current, 200), ("/api/v1/no-such-route", 404), ("/health/live", 200) })
        {
            using var response = await api.Client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, path, MultiSiteApi.Sha1(secret)));
            Assert.Equal(status, (int)response.StatusCode);
            Assert.True(response.Headers.Contains("Access-Control-Allow-Origin"), $"no cors headers on {path}");
        }

        Assert.True(await Access(site).ConfigureSettingsAsync(settings));
        using var after = await api.Client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, Current, MultiSiteApi.Sha1(secret)));
        Assert.False(after.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
