using Npgsql;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

public sealed class TenantAdministrationTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    [Fact]
    public async Task TheOperatorApiNeedsTheOperatorKeyAndNeverASiteSecret()
    {
        var (site, secret) = await api.CreateSiteAsync("op");
        Assert.Equal(401, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/admin/tenants"))).Status);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/admin/tenants");
        wrong.Headers.Add("X-Operator-Key", "guess");
        Assert.Equal(401, (await api.SendAsync(wrong)).Status);
        // A site's own admin secret is no operator key, through either route.
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/admin/tenants", MultiSiteApi.Sha1(secret)))).Status);
    }

    [Fact]
    public async Task SitesAreCreatedListedDisabledEnabledAndDeleted()
    {
        var (status, created) = await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id = $"life-{Guid.NewGuid():N}"[..20] }));
        Assert.Equal(201, status);
        var id = created.GetProperty("site").GetProperty("id").GetString()!;
        var secret = created.GetProperty("apiSecret").GetString()!;
        Assert.True(secret.Length >= 12);
        Assert.Equal($"https://{id}.{MultiSiteApi.BaseDomain}/", created.GetProperty("url").GetString());

        var (_, list) = await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Get, "/api/admin/tenants"));
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        Assert.DoesNotContain("apiSecret", list.GetRawText(), StringComparison.Ordinal);

        Assert.Equal(409, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id }))).Status);
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id = "Not_Valid" }))).Status);
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id = "api" }))).Status);
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id = "shortsecret", apiSecret = "too-short" }))).Status);

        // The generated secret works, through the site's subdomain as well as the path prefix.
        using var byHost = new HttpRequestMessage(HttpMethod.Get, "/api/v1/status.json");
        byHost.Headers.Host = $"{id}.{MultiSiteApi.BaseDomain}";
        byHost.Headers.Add("api-secret", MultiSiteApi.Sha1(secret));
        Assert.Equal(200, (await api.SendAsync(byHost)).Status);

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{id}/disable"))).Status);
        // A disabled site's own secret no longer opens it: it answers as a site where that secret is wrong.
        var (disabledStatus, disabled) = await api.SendAsync(MultiSiteApi.SiteRequest(id, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(secret)));
        Assert.Equal(401, disabledStatus);
        Assert.Equal("Unauthorized", disabled.GetProperty("message").GetString());

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{id}/enable"))).Status);
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(id, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(secret)))).Status);

        await api.CreateSubjectAsync(id, secret, "phone", "readable");
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Delete, $"/api/admin/tenants/{id}"))).Status);
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Delete, $"/api/admin/tenants/{id}?confirm=other"))).Status);
        Assert.Equal(2, await CountRowsAsync(id));
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Delete, $"/api/admin/tenants/{id}?confirm={id}"))).Status);
        Assert.Equal(0, await CountRowsAsync(id));
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(id, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(secret)))).Status);
        Assert.Equal(404, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Get, $"/api/admin/tenants/{id}"))).Status);
        Assert.Equal(404, (await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Delete, $"/api/admin/tenants/{id}?confirm={id}"))).Status);
    }

    [Fact]
    public async Task UnknownSitesAnswerLikeKnownSitesThatAdmitNobodyAnonymously()
    {
        var (known, _) = await api.CreateSiteAsync("private", new { authDefaultRoles = new[] { "denied" } });
        var (unknownSite, siteBody) = await api.SendAsync(MultiSiteApi.SiteRequest("no-such-site", HttpMethod.Get, "/api/v1/status.json"));
        var (knownSite, knownBody) = await api.SendAsync(MultiSiteApi.SiteRequest(known, HttpMethod.Get, "/api/v1/status.json"));
        Assert.Equal(401, unknownSite);
        Assert.Equal(knownSite, unknownSite);
        Assert.Equal(knownBody.GetRawText(), siteBody.GetRawText());
        // Without a site prefix or subdomain, a multi-site server has no site to answer for.
        Assert.Equal(404, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/status.json"))).Status);
    }

    [Fact]
    public async Task SecretsAreStoredOnlyHashed()
    {
        var (site, secret) = await api.CreateSiteAsync("hashed");
        var token = await api.CreateSubjectAsync(site, secret, "phone", "readable");
        await using var connection = new NpgsqlConnection(TestServices.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT t::text || coalesce((SELECT string_agg(s::text, '') FROM auth_subjects s WHERE s.tenant_id = t.id), '') FROM tenants t WHERE t.id = @id", connection);
        command.Parameters.AddWithValue("id", site);
        var everything = (string)(await command.ExecuteScalarAsync())!;
        foreach (var leaked in new[] { secret, MultiSiteApi.Sha1(secret), token, token[^16..], MultiSiteApi.Sha1(token) })
        {
            Assert.DoesNotContain(leaked, everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(leaked)), everything, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static async Task<long> CountRowsAsync(string site)
    {
        await using var connection = new NpgsqlConnection(TestServices.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM tenants WHERE id = @id) + (SELECT count(*) FROM auth_subjects WHERE tenant_id = @id)", connection);
        command.Parameters.AddWithValue("id", site);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
