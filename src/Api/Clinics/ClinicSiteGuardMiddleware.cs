using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;

namespace Nocturne.Api.Clinics;

/// <summary>
/// A clinic holds no glucose data of its own: writes to its document, v3 and connector routes are
/// refused (403) before any grain sees them. Its staff, roles and clinic routes work as usual.
/// </summary>
public sealed class ClinicSiteGuardMiddleware(RequestDelegate next)
{
    private static readonly PathString[] DataRoutes = ["/api/v1", "/api/v2", "/api/v3", "/api/v4/connectors"];
    private static readonly PathString Authorization = new("/api/v2/authorization");

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && context.Features.Get<SiteAccess>() is { } access
            && DataRoutes.Any(r => request.Path.StartsWithSegments(r)) && !request.Path.StartsWithSegments(Authorization)
            && access.Grant.IsClinic)
        {
            await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "A clinic site holds no patient data");
            return;
        }

        await next(context);
    }
}
