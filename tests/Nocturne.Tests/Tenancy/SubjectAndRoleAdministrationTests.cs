using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

public sealed class SubjectAndRoleAdministrationTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    [Fact]
    public async Task RolesCanBeCreatedUsedUpdatedAndDeleted()
    {
        var (site, secret) = await api.CreateSiteAsync("roles", new { authDefaultRoles = new[] { "denied" } });
        var admin = MultiSiteApi.Sha1(secret);

        var (created, role) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v2/authorization/roles", admin,
            new { name = "follower", permissions = new[] { "api:status:read" }, notes = "family" }));
        // The reference answers a creation with 200 and the created role.
        Assert.Equal(200, created);
        var roleId = role.GetProperty("_id").GetString()!;

        var token = await api.CreateSubjectAsync(site, secret, "grandma", "follower");
        Assert.Equal(200, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/status.json?token={token}"))).Status);

        // Taking the permission away from the role takes it away from the token at once.
        var (updated, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Put, "/api/v2/authorization/roles", admin,
            new { _id = roleId, name = "follower", permissions = new[] { "api:food:read" } }));
        Assert.Equal(200, updated);
        Assert.Equal(401, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/status.json?token={token}"))).Status);

        var (_, roles) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/roles", admin));
        var names = roles.EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Contains("follower", names);
        Assert.Contains("admin", names);
        Assert.Contains("readable", names);

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, $"/api/v2/authorization/roles/{roleId}", admin))).Status);
        Assert.Equal(404, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, $"/api/v2/authorization/roles/{roleId}", admin))).Status);
        Assert.Equal(400, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, "/api/v2/authorization/roles/builtin-admin", admin))).Status);
    }

    [Fact]
    public async Task BadSubjectsAndRolesAreRefusedWithClearErrorsAndNothingStored()
    {
        var (site, secret) = await api.CreateSiteAsync("bad");
        var admin = MultiSiteApi.Sha1(secret);

        var cases = new (string Path, HttpMethod Method, object Body, int Status, string Needle)[]
        {
            ("/api/v2/authorization/subjects", HttpMethod.Post, new { name = "", roles = new[] { "readable" } }, 400, "name"),
            ("/api/v2/authorization/subjects", HttpMethod.Post, new { name = "phone", roles = new[] { "no-such-role" } }, 400, "Unknown role"),
            ("/api/v2/authorization/subjects", HttpMethod.Put, new { name = "phone", roles = new[] { "readable" } }, 400, "_id"),
            ("/api/v2/authorization/roles", HttpMethod.Post, new { name = "x y", permissions = new[] { "api:status:read" } }, 400, "Role name"),
            ("/api/v2/authorization/roles", HttpMethod.Post, new { name = "ok", permissions = new[] { "api::read" } }, 400, "Malformed"),
        };
        foreach (var (path, method, body, status, needle) in cases)
        {
            var (actual, error) = await api.SendAsync(MultiSiteApi.SiteRequest(site, method, path, admin, body));
            Assert.Equal(status, actual);
            Assert.Equal(status, error.GetProperty("status").GetInt32());
            Assert.Contains(needle, error.GetProperty("description").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        using var malformed = MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v2/authorization/subjects", admin);
        malformed.Content = new StringContent("{\"name\": ", System.Text.Encoding.UTF8, "application/json");
        var (malformedStatus, malformedBody) = await api.SendAsync(malformed);
        Assert.Equal(400, malformedStatus);
        Assert.Equal(400, malformedBody.GetProperty("status").GetInt32());

        await api.CreateSubjectAsync(site, secret, "phone", "readable");
        var (duplicate, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v2/authorization/subjects", admin,
            new { name = "phone", roles = new[] { "readable" } }));
        Assert.Equal(409, duplicate);

        var (_, subjects) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/subjects", admin));
        Assert.Equal(["phone"], subjects.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var (_, roles) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/roles", admin));
        Assert.DoesNotContain(roles.EnumerateArray(), r => r.GetProperty("name").GetString() is "ok" or "x y");
    }

    [Fact]
    public async Task SubjectsAndRolesSurviveTheSiteGrainBeingReloaded()
    {
        var (site, secret) = await api.CreateSiteAsync("reload", new { authDefaultRoles = new[] { "denied" } });
        var token = await api.CreateSubjectAsync(site, secret, "meter", "status-only");

        // Disabling and enabling reloads nothing by itself; deactivate the grain to force a reload from PostgreSQL.
        await GrainReload.ReloadSiteAsync(api, site);

        Assert.Equal(200, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/status.json?token={token}"))).Status);
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(secret)))).Status);
    }
}
