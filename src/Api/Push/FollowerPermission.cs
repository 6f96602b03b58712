using Nocturne.Api.Authorization;
using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Api.Push;

/// <summary>The permission a follower needs to receive a site's data and alarms.</summary>
public static class FollowerPermission
{
    public const string Read = "api:entries:read";
    public const string Ack = "notifications:*:ack";

    public static bool MayFollow(string siteId, AccessGrant grant) =>
        grant.Outcome is AccessOutcome.Authenticated or AccessOutcome.Anonymous && ShiroPermission.AnyImplies(grant.Permissions, Read);
}
