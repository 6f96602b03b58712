using Nocturne.Grains.Authorization;

namespace Nocturne.Tests.Tenancy;

public sealed class ShiroPermissionTests
{
    [Theory]
    [InlineData("*", "api:entries:read", true)]
    [InlineData("*", "*:*:admin", true)]
    [InlineData("api:entries:read", "api:entries:read", true)]
    [InlineData("api:entries:read", "api:entries:create", false)]
    [InlineData("api:entries:read", "api:treatments:read", false)]
    [InlineData("api:*:read", "api:treatments:read", true)]
    [InlineData("api:*:read", "api:treatments:create", false)]
    [InlineData("*:*:read", "api:status:read", true)]
    [InlineData("*:*:read", "notifications:loop:push", false)]
    [InlineData("api:entries", "api:entries:delete", true)]
    [InlineData("api:entries,treatments:create", "api:treatments:create", true)]
    [InlineData("api:entries,treatments:create", "api:devicestatus:create", false)]
    [InlineData("api:entries:read,create", "api:entries:create", true)]
    [InlineData("api:entries:read", "api:entries", false)]
    [InlineData("api:entries:*", "api:entries", true)]
    [InlineData("", "api:entries:read", false)]
    // A wildcard in the request is literal: only a wildcard grant satisfies it.
    [InlineData("api:entries:read", "*:*:read", false)]
    [InlineData("api:*:read", "*:*:read", false)]
    [InlineData("*:*:read", "*:*:read", true)]
    [InlineData("*:*:read", "*:*:write", false)]
    public void ImpliesFollowsShiroTrieSemantics(string granted, string requested, bool expected) =>
        Assert.Equal(expected, ShiroPermission.Implies(granted, requested));

    [Theory]
    [InlineData("admin", "api:entries:delete", true)]
    [InlineData("admin", "admin:api:subjects:create", true)]
    [InlineData("denied", "api:status:read", false)]
    [InlineData("status-only", "api:status:read", true)]
    [InlineData("status-only", "api:entries:read", false)]
    [InlineData("readable", "api:entries:read", true)]
    [InlineData("readable", "api:entries:create", false)]
    [InlineData("careportal", "api:treatments:create", true)]
    [InlineData("careportal", "api:treatments:read", false)]
    [InlineData("devicestatus-upload", "api:devicestatus:create", true)]
    [InlineData("devicestatus-upload", "api:entries:create", false)]
    [InlineData("activity", "api:activity:create", true)]
    public void BuiltInRolesGrantWhatTheReferenceGrants(string role, string permission, bool expected)
    {
        var permissions = BuiltInRoles.All.Single(r => r.Name == role).Permissions;
        Assert.Equal(expected, ShiroPermission.AnyImplies(permissions, permission));
    }

    [Fact]
    public void TheReferenceBuiltInRolesAllExist() =>
        Assert.Equal(["activity", "admin", "careportal", "denied", "devicestatus-upload", "readable", "status-only"],
            BuiltInRoles.All.Select(r => r.Name).Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("api:entries:read", true)]
    [InlineData("*", true)]
    [InlineData("api:entries,treatments:*", true)]
    [InlineData("api::read", false)]
    [InlineData("api:entries:read; drop", false)]
    [InlineData("", false)]
    public void MalformedPermissionsAreRecognised(string permission, bool wellFormed) =>
        Assert.Equal(wellFormed, ShiroPermission.IsWellFormed(permission));
}
