namespace Nocturne.Api.Authorization;

/// <summary>
/// The address a request came from, as the throttle keys it: the connection's peer, or the
/// client named by <c>X-Forwarded-For</c> when the peer is a trusted proxy (<c>TRUSTED_PROXIES</c>).
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
