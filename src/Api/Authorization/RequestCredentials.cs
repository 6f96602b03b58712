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
        return new Credentials(NonEmpty(bearer), apiSecret, token);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
