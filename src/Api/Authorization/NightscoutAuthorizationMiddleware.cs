using Nocturne.Api.Observability;
using Nocturne.Api.Errors;
using Nocturne.Api.Tenancy;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Authorization;

/// <summary>
/// Authorises every routed request from its endpoint's <see cref="EndpointAccess"/>: resolves
/// the site's grant from its access grain (or the grant it gave these credentials moments ago,
/// <see cref="SiteGrantCache"/>) and checks the endpoint's permission. Fails closed:
/// an endpoint without access metadata is refused.
/// </summary>
public sealed class NightscoutAuthorizationMiddleware(
    RequestDelegate next,
    IGrainFactory grains,
    AuthFailureThrottle throttle,
    SiteGrantCache grantCache,
    OperatorKey operatorKey,
    ILogger<NightscoutAuthorizationMiddleware> logger)
{
    // The endpoint routing selects when a path matches but its method does not.
    private const string MethodNotAllowedEndpoint = "405 HTTP Method Not Supported";

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            await next(context);
            return;
        }

        switch (endpoint.Metadata.GetMetadata<EndpointAccess>())
        {
            case EndpointAccess.Infrastructure:
                await next(context);
                return;
            case EndpointAccess.Operator:
                await AuthorizeOperatorAsync(context);
                return;
            case EndpointAccess.PublicOnSite:
                await AuthorizeSiteAsync(context, permission: null);
                return;
            case EndpointAccess.Permission permission:
                await AuthorizeSiteAsync(context, permission);
                return;
            case null when endpoint.DisplayName == MethodNotAllowedEndpoint:
                // A known path with another method: the reference answers 404, and anyone can
                // send it, so it must not fill the logs.
                logger.LogDebug("No {Method} route on this path", context.Request.Method);
                await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found");
                return;
            default:
                logger.LogError("Endpoint {Endpoint} has no access rule; refusing", endpoint.DisplayName);
                await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden");
                return;
        }
    }

    private async Task AuthorizeOperatorAsync(HttpContext context)
    {
        if (!operatorKey.Configured)
        {
            await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "The operator API is not configured (Operator__KeySha256)");
            return;
        }

        if (!operatorKey.Matches(context.Request.Headers[OperatorKey.Header].ToString()))
        {
            logger.LogWarning("Operator API refused for {Client}", ClientAddress.Of(context));
            await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Invalid/Missing operator key");
            return;
        }

        await next(context);
    }

    private async Task AuthorizeSiteAsync(HttpContext context, EndpointAccess.Permission? permission)
    {
        var site = context.Features.Get<SiteFeature>()?.SiteId;
        if (site is null)
        {
            await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found");
            return;
        }

        var isV3 = context.Request.Path.StartsWithSegments("/api/v3");
        var credentials = RequestCredentials.From(context.Request);
        if (isV3)
        {
            // API v3 accepts only a bearer JWT, as the reference does.
            credentials = credentials with { ApiSecret = null, Token = null };
        }
        else
        {
            credentials = await BodyCredentials.ApplyAsync(context.Request, credentials, context.RequestAborted);
        }

        var siteGrains = grains.Site(site);
        var grant = await grantCache.AuthenticateAsync(siteGrains, credentials);
        if (grant.Outcome == AccessOutcome.UnknownSite)
        {
            // An unknown or disabled site answers as a known site that admits nobody anonymously:
            // the same 401s, the same verifyauth, and failures counted the same, so that nothing
            // tells a caller which sites exist.
            grant = new AccessGrant { Outcome = credentials.IsEmpty ? AccessOutcome.Anonymous : AccessOutcome.InvalidCredentials };
        }

        var access = new SiteAccess(site, grant, siteGrains);
        context.Features.Set(access);
        if (grant.Outcome == AccessOutcome.InvalidCredentials)
        {
            // Only failing attempts are refused: valid credentials from the same address never wait.
            var client = ClientAddress.Of(context);
            var wait = throttle.RecordFailure(site, client);
            logger.LogWarning("Bad credentials for site {Site} from {Client} on {Route}", site, client, LoggedRoute.Of(context));
            if (wait > TimeSpan.Zero)
            {
                await WriteTooManyAsync(context, wait);
                return;
            }

            if (permission is not null)
            {
                await WriteUnauthorizedAsync(context, isV3, isV3 ? "Bad access token or JWT" : null);
                return;
            }
        }

        // API v3 has no anonymous access at all (only /version is public), whatever the default roles.
        if (permission is not null && isV3 && grant.Outcome == AccessOutcome.Anonymous)
        {
            await WriteUnauthorizedAsync(context, isV3: true, "Missing or bad access token or JWT");
            return;
        }

        if (permission?.All.FirstOrDefault(p => !access.Can(p)) is { } missing && !(permission.OrInstead is { } instead && access.Can(instead)))
        {
            if (isV3 && grant.Outcome == AccessOutcome.Anonymous)
            {
                await WriteUnauthorizedAsync(context, isV3: true, "Missing or bad access token or JWT");
            }
            else if (isV3)
            {
                await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status403Forbidden, $"Missing permission {missing}");
            }
            else
            {
                await WriteUnauthorizedAsync(context, isV3: false, null);
            }

            return;
        }

        await next(context);
    }

    private static Task WriteUnauthorizedAsync(HttpContext context, bool isV3, string? v3Message) =>
        isV3
            ? ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status401Unauthorized, v3Message ?? "Missing or bad access token or JWT")
            : ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Invalid/Missing");

    /// <summary>A failing attempt from a client still in its penalty window: refused at once, never held open.</summary>
    internal static async Task WriteTooManyAsync(HttpContext context, TimeSpan wait)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.WriteAsJsonAsync(new NightscoutError(StatusCodes.Status429TooManyRequests, "Too Many Requests",
            "Too many failed authentication attempts from this address; retry later."), NightscoutJson.Options);
    }
}
