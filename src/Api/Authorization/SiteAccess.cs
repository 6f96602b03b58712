using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Api.Authorization;

/// <summary>The authorised site and grant of the current request, set by <see cref="NightscoutAuthorizationMiddleware"/>.</summary>
public sealed record SiteAccess(string SiteId, AccessGrant Grant)
{
    public bool Can(string permission) => ShiroPermission.AnyImplies(Grant.Permissions, permission);
}
