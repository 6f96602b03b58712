namespace Nocturne.Grains.Interfaces.Authorization;

/// <summary>Who a request is and what it may do on one site.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.AccessGrant")]
public sealed record AccessGrant
{
    [Id(0)] public AccessOutcome Outcome { get; init; }

    /// <summary>Subject name for tokens and JWTs; null for the API secret and anonymous callers.</summary>
    [Id(1)] public string? Subject { get; init; }

    /// <summary>Shiro-style permission strings granted (roles of the subject plus the default roles).</summary>
    [Id(2)] public IReadOnlyList<string> Permissions { get; init; } = [];

    /// <summary>The permissions per role, as Nightscout reports them in <c>permissionGroups</c>.</summary>
    [Id(3)] public IReadOnlyList<IReadOnlyList<string>> PermissionGroups { get; init; } = [];

    /// <summary>Authenticated with the site's API secret (admin, no subject).</summary>
    [Id(4)] public bool ViaApiSecret { get; init; }

    /// <summary>The access token behind the grant (JWT claim or token itself); reported back by status.json.</summary>
    [Id(5)] public string? AccessToken { get; init; }

    [Id(6)] public long? IssuedAt { get; init; }

    [Id(7)] public long? ExpiresAt { get; init; }

    /// <summary>
    /// The site's <c>enable</c> list has <c>cors</c>: the API sends cross-origin headers with the
    /// answer, decided from the grant it already holds rather than by another call for the settings.
    /// </summary>
    [Id(8)] public bool Cors { get; init; }

    /// <summary>
    /// The site is a clinic: its data routes refuse writes and its clinic routes exist. Carried by the
    /// grant for the same reason as <see cref="Cors"/>: no query per request to learn it.
    /// </summary>
    [Id(9)] public bool IsClinic { get; init; }

    /// <summary>
    /// The process whose access grain issued the grant. A cache in that same process hears of every
    /// change to the site's access, and of the issuing activation's end, before either takes effect,
    /// so it may keep the grant longer than a grant from another node of a cluster.
    /// </summary>
    [Id(10)] public Guid IssuedBy { get; init; }

    public static AccessGrant UnknownSite { get; } = new() { Outcome = AccessOutcome.UnknownSite };
}
