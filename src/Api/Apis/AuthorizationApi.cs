using Microsoft.AspNetCore.Http.HttpResults;
using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces.Authorization;

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
        group.MapGet("/request/{accessToken}", RequestJwtAsync).PublicOnSite();
        group.MapGet("/debug/check/{permission}", CheckPermission).PublicOnSite();
        group.MapGet("/permissions", (Delegate)ListPermissionsAsync).RequirePermission("admin:api:permissions:read");
        group.MapGet("/subjects", (Delegate)ListSubjectsAsync).RequirePermission("admin:api:subjects:read");
        group.MapPost("/subjects", CreateSubjectAsync).RequirePermission("admin:api:subjects:create");
        group.MapPut("/subjects", UpdateSubjectAsync).RequirePermission("admin:api:subjects:update");
        group.MapDelete("/subjects/{id}", DeleteSubjectAsync).RequirePermission("admin:api:subjects:delete");
        group.MapGet("/roles", (Delegate)ListRolesAsync).RequirePermission("admin:api:roles:list");
        group.MapPost("/roles", CreateRoleAsync).RequirePermission("admin:api:roles:create");
        group.MapPut("/roles", UpdateRoleAsync).RequirePermission("admin:api:roles:update");
        group.MapDelete("/roles/{id}", DeleteRoleAsync).RequirePermission("admin:api:roles:delete");
        return app;
    }

    // The access token in the path is the credential here: a miss counts as a failed attempt,
    // and a client in its penalty window is refused (429) like any other failing credential.
    private static async Task<IResult> RequestJwtAsync(string accessToken, HttpContext http, AuthFailureThrottle throttle)
    {
        if (await http.Site().Grains.Access.IssueJwtAsync(accessToken) is { } jwt)
        {
            return TypedResults.Json(new { token = jwt.Token, sub = jwt.Sub, permissionGroups = jwt.PermissionGroups, iat = jwt.Iat, exp = jwt.Exp });
        }

        var wait = throttle.RecordFailure(http.Site().SiteId, ClientAddress.Of(http));
        if (wait > TimeSpan.Zero)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return NightscoutError.Result(StatusCodes.Status429TooManyRequests, "Too Many Requests", "Too many failed authentication attempts from this address; retry later.");
        }

        return NightscoutError.Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Invalid/Missing");
    }

    private static JsonHttpResult<PermissionCheck> CheckPermission(string permission, HttpContext http) => TypedResults.Json(new PermissionCheck(http.Site().Can(permission)));

    private sealed record PermissionCheck(bool Check);

    private static async Task<IResult> ListPermissionsAsync(HttpContext http)
    {
        var roles = await http.Site().Grains.Access.GetRolesAsync();
        return TypedResults.Json(roles.SelectMany(r => r.Permissions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
    }

    private static async Task<IResult> ListSubjectsAsync(HttpContext http) =>
        TypedResults.Json((await http.Site().Grains.Access.GetSubjectsAsync()).Select(SubjectJson));

    private static async Task<IResult> CreateSubjectAsync(SubjectRequest body, HttpContext http)
    {
        var result = await http.Site().Grains.Access.CreateSubjectAsync(body.Name ?? "", body.Roles ?? [], body.Notes);
        return result.Value is { } created ? TypedResults.Json(SubjectJson(created.Subject, created.AccessToken)) : result.ToV1Error();
    }

    private static async Task<IResult> UpdateSubjectAsync(SubjectRequest body, HttpContext http)
    {
        if (string.IsNullOrEmpty(body.Id))
        {
            return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "Missing _id for update");
        }

        var result = await http.Site().Grains.Access.UpdateSubjectAsync(body.Id, body.Name ?? "", body.Roles ?? [], body.Notes);
        return result.Value is { } subject ? TypedResults.Json(SubjectJson(subject)) : result.ToV1Error();
    }

    private static async Task<IResult> DeleteSubjectAsync(string id, HttpContext http)
    {
        var result = await http.Site().Grains.Access.DeleteSubjectAsync(id);
        return result.IsDone ? TypedResults.Json(new { }) : result.ToV1Error();
    }

    private static async Task<IResult> ListRolesAsync(HttpContext http) =>
        TypedResults.Json((await http.Site().Grains.Access.GetRolesAsync()).Select(RoleJson));

    private static Task<IResult> CreateRoleAsync(RoleRequest body, HttpContext http) => SaveRoleAsync(null, body, http);

    private static Task<IResult> UpdateRoleAsync(RoleRequest body, HttpContext http) =>
        string.IsNullOrEmpty(body.Id)
            ? Task.FromResult(NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "Missing _id for update"))
            : SaveRoleAsync(body.Id, body, http);

    private static async Task<IResult> DeleteRoleAsync(string id, HttpContext http)
    {
        var result = await http.Site().Grains.Access.DeleteRoleAsync(id);
        return result.IsDone ? TypedResults.Json(new { }) : result.ToV1Error();
    }

    private static async Task<IResult> SaveRoleAsync(string? id, RoleRequest body, HttpContext http)
    {
        var result = await http.Site().Grains.Access.SaveRoleAsync(id, body.Name ?? "", body.Permissions ?? [], body.Notes);
        return result.Value is { } role ? TypedResults.Json(RoleJson(role)) : result.ToV1Error();
    }

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
