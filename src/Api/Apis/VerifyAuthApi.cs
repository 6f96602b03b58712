using Nocturne.Api.Authorization;
using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>GET /api/v1/verifyauth</c>: how clients (AAPS, xDrip+, the web UI) check a secret or token.
/// Always 200; the verdict is in the body, in the reference's shape.
/// </summary>
public static class VerifyAuthApi
{
    public static IEndpointRouteBuilder MapVerifyAuthApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api/v1", "/api/v2" })
        {
            app.MapGet($"{prefix}/verifyauth", (HttpContext http) =>
            {
                var site = http.Site();
                var authenticated = site.Grant.Outcome == AccessOutcome.Authenticated;
                // As the reference: failed credentials resolve to nothing at all (no permission, and
                // not the defaults, so "ROLE"); only a request without credentials gets "DEFAULT".
                var failed = site.Grant.Outcome == AccessOutcome.InvalidCredentials;
                var canRead = !failed && site.Can("*:*:read");
                return TypedResults.Json(new
                {
                    status = 200,
                    message = new
                    {
                        canRead,
                        canWrite = !failed && site.Can("*:*:write"),
                        isAdmin = !failed && site.Can("*:*:admin"),
                        message = canRead && authenticated ? "OK" : "UNAUTHORIZED",
                        rolefound = authenticated && !site.Grant.ViaApiSecret ? "FOUND" : "NOTFOUND",
                        permissions = site.Grant.Outcome == AccessOutcome.Anonymous ? "DEFAULT" : "ROLE",
                    },
                });
            }).PublicOnSite().WithTags("Authorization");

            // Loop calls this to test its credentials.
            app.MapGet($"{prefix}/experiments/test", () => TypedResults.Json(new { status = "ok" }))
                .RequirePermission("authorization:debug:test").WithTags("Authorization");
        }

        return app;
    }
}
