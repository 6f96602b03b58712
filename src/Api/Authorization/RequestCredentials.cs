using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Api.Authorization;

/// <summary>Reads credentials where Nightscout clients put them: headers and query string.</summary>
public static class RequestCredentials
{
    public static Credentials From(HttpRequest request)
    {
        string? bearer = null;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            bearer = authorization["Bearer ".Length..].Trim();
        }

        var apiSecret = NonEmpty(request.Headers["api-secret"].ToString()) ?? NonEmpty(request.Query["secret"].ToString());
        var token = NonEmpty(request.Query["token"].ToString());
        if (request.Path.StartsWithSegments(Push.PushRoutes.SiteHub) || request.Path.StartsWithSegments(Push.PushRoutes.ClinicHub))
        {
            // SignalR clients send their token as a bearer header, and for WebSockets (where browsers
            // cannot set headers) as access_token in the query; a follower's token may be an access
            // token as well as a JWT, which the token path tells apart.
            var hubToken = NonEmpty(bearer) ?? NonEmpty(request.Query["access_token"].ToString());
            return new Credentials(null, apiSecret, token ?? hubToken);
        }

        return new Credentials(NonEmpty(bearer), apiSecret, token);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
