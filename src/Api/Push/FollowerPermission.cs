using Nocturne.Api.Authorization;
using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Api.Push;

/// <summary>The permission a follower needs to receive a site's data and alarms.</summary>
public static class FollowerPermission
{
    public const string Read = "api:entries:read";
    public const string Ack = "notifications:*:ack";

    /// <summary>What a clinic's staff need to follow the clinic's board.</summary>
    public const string ClinicBoard = "clinic:patients:read";

    public static bool MayFollow(string siteId, AccessGrant grant) => MayFollow(grant, Read);

    public static bool MayFollow(AccessGrant grant, string permission) =>
        grant.Outcome is AccessOutcome.Authenticated or AccessOutcome.Anonymous && ShiroPermission.AnyImplies(grant.Permissions, permission);
}
