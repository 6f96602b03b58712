using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>/api/v2/authorization</c>: JWTs for access tokens, and administration of the site's
/// subjects and roles (admin permissions only).
/// </summary>
public static class AuthorizationApi
{
    public static IEndpointRouteBuilder MapAuthorizationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v2/authorization").WithTags("Authorization");

        // The access token in the path is the credential here: a miss counts as a failed attempt,
        // and a client in its penalty window is refused (429) like any other failing credential.
        group.MapGet("/request/{accessToken}", async (string accessToken, HttpContext http, IGrainFactory grains, AuthFailureThrottle throttle) =>
        {
            if (await http.Site().Grains.Access.IssueJwtAsync(accessToken) is { } jwt)
            {
                return Results.Json(new { token = jwt.Token, sub = jwt.Sub, permissionGroups = jwt.PermissionGroups, iat = jwt.Iat, exp = jwt.Exp });
            }

            var wait = throttle.RecordFailure(http.Site().SiteId, ClientAddress.Of(http));
            if (wait > TimeSpan.Zero)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return NightscoutError.Result(StatusCodes.Status429TooManyRequests, "Too Many Requests", "Too many failed authentication attempts from this address; retry later.");
            }

            return NightscoutError.Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Invalid/Missing");
        }).PublicOnSite();

        group.MapGet("/debug/check/{permission}", (string permission, HttpContext http) =>
            TypedResults.Json(new { check = http.Site().Can(permission) })).PublicOnSite();

        group.MapGet("/permissions", async (HttpContext http, IGrainFactory grains) =>
        {
            var roles = await http.Site().Grains.Access.GetRolesAsync();
            return TypedResults.Json(roles.SelectMany(r => r.Permissions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        }).RequirePermission("admin:api:permissions:read");

        group.MapGet("/subjects", async (HttpContext http, IGrainFactory grains) =>
            TypedResults.Json((await http.Site().Grains.Access.GetSubjectsAsync()).Select(SubjectJson)))
            .RequirePermission("admin:api:subjects:read");

        group.MapPost("/subjects", async (SubjectRequest body, HttpContext http, IGrainFactory grains) =>
        {
            var result = await http.Site().Grains.Access.CreateSubjectAsync(body.Name ?? "", body.Roles ?? [], body.Notes);
            return result.Status == ChangeStatus.Done
                ? Results.Json(SubjectJson(result.Value!.Subject, result.Value.AccessToken))
                : Failure(result.Status, result.Message);
        }).RequirePermission("admin:api:subjects:create");

        group.MapPut("/subjects", async (SubjectRequest body, HttpContext http, IGrainFactory grains) =>
        {
            if (string.IsNullOrEmpty(body.Id))
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "Missing _id for update");
            }

            var result = await http.Site().Grains.Access.UpdateSubjectAsync(body.Id, body.Name ?? "", body.Roles ?? [], body.Notes);
            return result.Status == ChangeStatus.Done ? Results.Json(SubjectJson(result.Value!)) : Failure(result.Status, result.Message);
        }).RequirePermission("admin:api:subjects:update");

        group.MapDelete("/subjects/{id}", async (string id, HttpContext http, IGrainFactory grains) =>
        {
            var result = await http.Site().Grains.Access.DeleteSubjectAsync(id);
            return result.Status == ChangeStatus.Done ? Results.Json(new { }) : Failure(result.Status, result.Message);
        }).RequirePermission("admin:api:subjects:delete");

        group.MapGet("/roles", async (HttpContext http, IGrainFactory grains) =>
            TypedResults.Json((await http.Site().Grains.Access.GetRolesAsync()).Select(RoleJson)))
            .RequirePermission("admin:api:roles:list");

        group.MapPost("/roles", (RoleRequest body, HttpContext http, IGrainFactory grains) => SaveRoleAsync(null, body, http, grains, StatusCodes.Status200OK))
            .RequirePermission("admin:api:roles:create");

        group.MapPut("/roles", (RoleRequest body, HttpContext http, IGrainFactory grains) =>
            string.IsNullOrEmpty(body.Id)
                ? Task.FromResult(NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "Missing _id for update"))
                : SaveRoleAsync(body.Id, body, http, grains, StatusCodes.Status200OK))
            .RequirePermission("admin:api:roles:update");

        group.MapDelete("/roles/{id}", async (string id, HttpContext http, IGrainFactory grains) =>
        {
            var result = await http.Site().Grains.Access.DeleteRoleAsync(id);
            return result.Status == ChangeStatus.Done ? Results.Json(new { }) : Failure(result.Status, result.Message);
        }).RequirePermission("admin:api:roles:delete");

        return app;
    }

    private static async Task<IResult> SaveRoleAsync(string? id, RoleRequest body, HttpContext http, IGrainFactory grains, int successStatus)
    {
        var result = await http.Site().Grains.Access.SaveRoleAsync(id, body.Name ?? "", body.Permissions ?? [], body.Notes);
        return result.Status == ChangeStatus.Done ? Results.Json(RoleJson(result.Value!), statusCode: successStatus) : Failure(result.Status, result.Message);
    }

    internal static IResult Failure(ChangeStatus status, string? message) => status switch
    {
        ChangeStatus.NotFound => NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", message),
        ChangeStatus.Conflict => NightscoutError.Result(StatusCodes.Status409Conflict, "Conflict", message),
        _ => NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", message),
    };

    private static object SubjectJson(AuthSubject s) => SubjectJson(s, s.AccessToken);

    private static Dictionary<string, object?> SubjectJson(AuthSubject s, string? accessToken)
    {
        var json = new Dictionary<string, object?>
        {
            ["_id"] = s.Id,
            ["name"] = s.Name,
            ["roles"] = s.Roles,
            ["notes"] = s.Notes,
            ["accessTokenPrefix"] = s.AccessTokenPrefix,
            ["created_at"] = s.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (accessToken is not null)
        {
            // Listed to admins as the reference lists it (nightscout-connect reads a private site's
            // token from here); kept encrypted at rest, absent when no key is configured.
            json["accessToken"] = accessToken;
        }

        return json;
    }

    private static object RoleJson(AuthRole r) => new { _id = r.Id, name = r.Name, permissions = r.Permissions, notes = r.Notes, builtIn = r.BuiltIn };
}
