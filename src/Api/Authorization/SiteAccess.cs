using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Authorization;

/// <summary>
/// The authorised site and grant of the current request, set by <see cref="NightscoutAuthorizationMiddleware"/>,
/// and the site's grains (<see cref="Grains"/>): handlers reach a site only through it.
/// </summary>
public sealed record SiteAccess(string SiteId, AccessGrant Grant, SiteGrains Grains)
{
    public bool Can(string permission) => ShiroPermission.AnyImplies(Grant.Permissions, permission);
}
