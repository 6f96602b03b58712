using System.Net.Http.Headers;
using Nocturne.Api.Authorization;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// Walks every route the server has (read from its endpoint table, so new routes join on their
/// own) and shows that site A's secret, token and JWT open nothing on site B, that anonymous
/// callers get exactly what the default roles allow, and that nothing of B reaches A.
/// </summary>
public sealed class TenantIsolationMatrixTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private List<RouteSample> Routes() => RouteCatalog.Of(api.Factory.Services);

    private static string Concrete(string pattern) => RouteCatalog.Concrete(pattern);

    [Fact]
    public void EveryRouteDeclaresHowItIsAuthorised()
    {
        var routes = Routes();
        Assert.NotEmpty(routes);
        Assert.Empty(routes.Where(r => r.Access is null).Select(r => $"{r.Method} {r.Pattern}"));
    }

    [Fact]
    public async Task CredentialsOfSiteAOpenNothingOnSiteB()
    {
        var (siteA, secretA) = await api.CreateSiteAsync("iso-a", new { authDefaultRoles = new[] { "denied" } });
        var (siteB, _) = await api.CreateSiteAsync("iso-b", new { authDefaultRoles = new[] { "denied" } });
        var tokenA = await api.CreateSubjectAsync(siteA, secretA, "phone", "admin");
        var jwtA = await api.JwtAsync(siteA, tokenA);

        var credentials = new (string Name, Action<HttpRequestMessage> Apply)[]
        {
            ("api-secret", r => r.Headers.Add("api-secret", MultiSiteApi.Sha1(secretA))),
            ("?secret", r => r.RequestUri = new Uri(r.RequestUri!.OriginalString + Separator(r) + "secret=" + MultiSiteApi.Sha1(secretA), UriKind.Relative)),
            ("?token", r => r.RequestUri = new Uri(r.RequestUri!.OriginalString + Separator(r) + "token=" + tokenA, UriKind.Relative)),
            ("token as api-secret", r => r.Headers.Add("api-secret", tokenA)),
            ("bearer JWT", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwtA)),
        };

        var failures = new List<string>();
        foreach (var route in Routes().Where(r => r.Access is EndpointAccess.Permission))
        {
            foreach (var (name, apply) in credentials)
            {
                // Through the path prefix and through the subdomain.
                foreach (var viaHost in new[] { false, true })
                {
                    var path = Concrete(route.Pattern);
                    using var request = new HttpRequestMessage(new HttpMethod(route.Method), viaHost ? path : $"/t/{siteB}{path}");
                    if (viaHost)
                    {
                        request.Headers.Host = $"{siteB}.{MultiSiteApi.BaseDomain}";
                    }

                    apply(request);
                    using var response = await api.Client.SendAsync(request);
                    if ((int)response.StatusCode is not (401 or 403 or 404))
                    {
                        failures.Add($"{route.Method} {route.Pattern} with A's {name} on B ({(viaHost ? "host" : "prefix")}): {(int)response.StatusCode}");
                    }
                }
            }
        }

        Assert.Empty(failures);

        // The same credentials do work on A, so the refusals above are about the site, not the credentials.
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(siteA, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(secretA)))).Status);
        using var jwtOnA = MultiSiteApi.SiteRequest(siteA, HttpMethod.Get, "/api/v2/authorization/subjects");
        jwtOnA.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwtA);
        Assert.Equal(200, (await api.SendAsync(jwtOnA)).Status);
    }

    [Theory]
    [InlineData("denied")]
    [InlineData("status-only")]
    [InlineData("readable")]
    public async Task AnonymousCallersGetExactlyWhatTheDefaultRolesAllowOnEveryRoute(string defaultRole)
    {
        var (site, _) = await api.CreateSiteAsync("anon", new { authDefaultRoles = new[] { defaultRole } });
        var granted = Nocturne.Grains.Authorization.BuiltInRoles.All.Single(r => r.Name == defaultRole).Permissions;
        var failures = new List<string>();
        foreach (var route in Routes().Where(r => r.Access is EndpointAccess.Permission))
        {
            var required = ((EndpointAccess.Permission)route.Access!).All.ToList();
            var permission = string.Join(" + ", required);
            // API v3 never serves anonymous callers (only /version is public), as the reference.
            var allowed = !route.Pattern.StartsWith("/api/v3", StringComparison.Ordinal) && required.All(p => Nocturne.Grains.Authorization.ShiroPermission.AnyImplies(granted, p));
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), $"/t/{site}{Concrete(route.Pattern)}");
            using var response = await api.Client.SendAsync(request);
            var refused = (int)response.StatusCode is 401 or 403;
            if (refused == allowed)
            {
                failures.Add($"{route.Method} {route.Pattern} needs {permission}; {defaultRole} {(allowed ? "allows" : "forbids")} it, got {(int)response.StatusCode}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task NothingOfSiteBIsEverReturnedToSiteA()
    {
        var marker = $"b-only-{Guid.NewGuid():N}";
        var (siteA, secretA) = await api.CreateSiteAsync("see-a");
        var (siteB, secretB) = await api.CreateSiteAsync("see-b", new { customTitle = marker });
        await api.CreateSubjectAsync(siteB, secretB, marker, "readable");
        await api.SendAsync(MultiSiteApi.SiteRequest(siteB, HttpMethod.Post, "/api/v2/authorization/roles", MultiSiteApi.Sha1(secretB),
            new { name = marker[..20], permissions = new[] { "api:status:read" } }));

        var leaks = new List<string>();
        foreach (var route in Routes().Where(r => r.Method == "GET" && r.Access is EndpointAccess.Permission or EndpointAccess.PublicOnSite))
        {
            using var request = MultiSiteApi.SiteRequest(siteA, HttpMethod.Get, Concrete(route.Pattern), MultiSiteApi.Sha1(secretA));
            using var response = await api.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (body.Contains(marker[..20], StringComparison.Ordinal) || body.Contains(siteB, StringComparison.Ordinal))
            {
                leaks.Add($"GET {route.Pattern}");
            }
        }

        Assert.Empty(leaks);
    }

    private static string Separator(HttpRequestMessage request) => request.RequestUri!.OriginalString.Contains('?', StringComparison.Ordinal) ? "&" : "?";
}
