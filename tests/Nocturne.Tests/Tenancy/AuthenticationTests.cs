using System.Net.Http.Headers;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>Every way a Nightscout client authenticates, against a real site.</summary>
public sealed class AuthenticationTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private const string StatusPath = "/api/v1/status.json";

    private async Task<(string Site, string Secret)> DeniedByDefaultSiteAsync() =>
        await api.CreateSiteAsync("auth", new { authDefaultRoles = new[] { "denied" } });

    [Fact]
    public async Task ApiSecretIsAcceptedAsSha1OrSha512HexButNotAsPlainText()
    {
        var (site, secret) = await DeniedByDefaultSiteAsync();
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath))).Status);
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath, MultiSiteApi.Sha1(secret)))).Status);
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath, MultiSiteApi.Sha1(secret).ToUpperInvariant()))).Status);
        var sha512 = Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath, sha512))).Status);
        Assert.Equal(200, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}{StatusPath}?secret={MultiSiteApi.Sha1(secret)}"))).Status);

        var (status, body) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath, secret));
        Assert.Equal(401, status);
        Assert.Equal("Unauthorized", body.GetProperty("message").GetString());
        Assert.Equal("Invalid/Missing", body.GetProperty("description").GetString());
    }

    [Fact]
    public async Task AccessTokensWorkAsQueryTokenAsApiSecretHeaderAndAsTheirSha1()
    {
        var (site, secret) = await DeniedByDefaultSiteAsync();
        var token = await api.CreateSubjectAsync(site, secret, "Loop iPhone", "readable");
        Assert.Matches("^loopiphone-[0-9a-f]{16}$", token);

        Assert.Equal(200, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}{StatusPath}?token={token}"))).Status);
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath, token))).Status);
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath, MultiSiteApi.Sha1(token)))).Status);

        var forged = token[..^1] + (token[^1] == '0' ? '1' : '0');
        Assert.Equal(401, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}{StatusPath}?token={forged}"))).Status);
    }

    [Fact]
    public async Task AJwtIsIssuedForATokenAndAcceptedAsBearer()
    {
        var (site, secret) = await DeniedByDefaultSiteAsync();
        var token = await api.CreateSubjectAsync(site, secret, "aaps", "readable", "careportal");
        var (status, body) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, $"/api/v2/authorization/request/{token}"));
        Assert.Equal(200, status);
        Assert.Equal("aaps", body.GetProperty("sub").GetString());
        var iat = body.GetProperty("iat").GetInt64();
        Assert.Equal(8 * 3600, body.GetProperty("exp").GetInt64() - iat);
        var groups = body.GetProperty("permissionGroups").EnumerateArray().Select(g => g.EnumerateArray().Select(p => p.GetString()).ToList()).ToList();
        Assert.Contains(groups, g => g.Contains("*:*:read"));
        Assert.Contains(groups, g => g.Contains("api:treatments:create"));

        var jwt = body.GetProperty("token").GetString()!;
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        var (statusWithJwt, statusBody) = await api.SendAsync(request);
        Assert.Equal(200, statusWithJwt);
        // status.json reports who the token belongs to.
        Assert.Equal("aaps", statusBody.GetProperty("authorized").GetProperty("sub").GetString());
        Assert.Equal(token, statusBody.GetProperty("authorized").GetProperty("token").GetString());

        var (unknown, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/request/nobody-0123456789abcdef"));
        Assert.Equal(401, unknown);

        using var garbage = MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath);
        garbage.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-jwt");
        Assert.Equal(401, (await api.SendAsync(garbage)).Status);

        // A JWT signed for the site but tampered with is refused.
        using var tampered = MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath);
        tampered.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt[..^2] + (jwt[^2] == 'A' ? "BB" : "AA"));
        Assert.Equal(401, (await api.SendAsync(tampered)).Status);
    }

    [Fact]
    public async Task DeletingASubjectRevokesItsTokenAndJwt()
    {
        var (site, secret) = await DeniedByDefaultSiteAsync();
        var token = await api.CreateSubjectAsync(site, secret, "old phone", "readable");
        var jwt = await api.JwtAsync(site, token);
        var (_, subjects) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/subjects", MultiSiteApi.Sha1(secret)));
        var id = subjects.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "old phone").GetProperty("_id").GetString();
        // An admin's listing shows the token, as the reference's does (nightscout-connect reads it there).
        Assert.Equal(token, subjects.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "old phone").GetProperty("accessToken").GetString());

        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, $"/api/v2/authorization/subjects/{id}", MultiSiteApi.Sha1(secret)))).Status);
        Assert.Equal(401, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}{StatusPath}?token={token}"))).Status);
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        Assert.Equal(401, (await api.SendAsync(request)).Status);
    }

    [Theory]
    [InlineData("readable", 200)]
    [InlineData("status-only", 200)]
    [InlineData("denied", 401)]
    public async Task AnonymousCallersGetExactlyTheDefaultRoles(string defaultRole, int statusJson)
    {
        var (site, _) = await api.CreateSiteAsync("anon", new { authDefaultRoles = new[] { defaultRole } });
        Assert.Equal(statusJson, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, StatusPath))).Status);
        // No default role reaches the site's administration or Loop's debug check.
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/subjects"))).Status);
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/experiments/test"))).Status);
    }

    [Fact]
    public async Task DefaultRolesAreAddedToEveryTokensRoles()
    {
        var (site, secret) = await api.CreateSiteAsync("merge", new { authDefaultRoles = new[] { "status-only" } });
        var token = await api.CreateSubjectAsync(site, secret, "uploader", "devicestatus-upload");
        var (_, body) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, $"/api/v2/authorization/request/{token}"));
        var permissions = body.GetProperty("permissionGroups").EnumerateArray().SelectMany(g => g.EnumerateArray()).Select(p => p.GetString()).ToList();
        Assert.Contains("api:devicestatus:create", permissions);
        Assert.Contains("api:status:read", permissions);
    }

    [Fact]
    public async Task VerifyAuthReportsInTheReferenceShape()
    {
        var (site, secret) = await DeniedByDefaultSiteAsync();
        var readToken = await api.CreateSubjectAsync(site, secret, "follower", "readable");

        var (anonStatus, anon) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/verifyauth"));
        Assert.Equal(200, anonStatus);
        var message = anon.GetProperty("message");
        Assert.Equal("UNAUTHORIZED", message.GetProperty("message").GetString());
        Assert.False(message.GetProperty("canRead").GetBoolean());
        Assert.Equal("DEFAULT", message.GetProperty("permissions").GetString());

        var (_, admin) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/verifyauth", MultiSiteApi.Sha1(secret)));
        message = admin.GetProperty("message");
        Assert.Equal("OK", message.GetProperty("message").GetString());
        Assert.True(message.GetProperty("canRead").GetBoolean());
        Assert.True(message.GetProperty("canWrite").GetBoolean());
        Assert.True(message.GetProperty("isAdmin").GetBoolean());
        Assert.Equal("NOTFOUND", message.GetProperty("rolefound").GetString());
        Assert.Equal("ROLE", message.GetProperty("permissions").GetString());

        var (_, reader) = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/verifyauth?token={readToken}"));
        message = reader.GetProperty("message");
        Assert.Equal("OK", message.GetProperty("message").GetString());
        Assert.False(message.GetProperty("canWrite").GetBoolean());
        Assert.False(message.GetProperty("isAdmin").GetBoolean());
        Assert.Equal("FOUND", message.GetProperty("rolefound").GetString());

        // A wrong secret is reported, not rejected, on verifyauth.
        var (wrongStatus, wrong) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/verifyauth", MultiSiteApi.Sha1("wrong secret!")));
        Assert.Equal(200, wrongStatus);
        Assert.Equal("UNAUTHORIZED", wrong.GetProperty("message").GetProperty("message").GetString());
        // The reference resolves failed credentials to nothing: no permission, and not the defaults.
        Assert.Equal("ROLE", wrong.GetProperty("message").GetProperty("permissions").GetString());
        Assert.False(wrong.GetProperty("message").GetProperty("canRead").GetBoolean());
        Assert.Equal("NOTFOUND", wrong.GetProperty("message").GetProperty("rolefound").GetString());
    }

    [Fact]
    public async Task LoopsExperimentsTestNeedsTheDebugPermission()
    {
        var (site, secret) = await DeniedByDefaultSiteAsync();
        var (status, body) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/experiments/test", MultiSiteApi.Sha1(secret)));
        Assert.Equal(200, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        var reader = await api.CreateSubjectAsync(site, secret, "reader", "readable");
        Assert.Equal(401, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/experiments/test?token={reader}"))).Status);
    }
}
