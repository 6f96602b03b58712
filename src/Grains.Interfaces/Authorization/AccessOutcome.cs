namespace Nocturne.Grains.Interfaces.Authorization;

public enum AccessOutcome
{
    /// <summary>No such site, or a disabled one: answered exactly like an unknown route.</summary>
    UnknownSite,

    /// <summary>No credentials: the site's default roles apply.</summary>
    Anonymous,

    /// <summary>Valid API secret, access token or JWT.</summary>
    Authenticated,

    /// <summary>Credentials were presented and none of them is valid.</summary>
    InvalidCredentials,
}
