using System.Text.Json;
using Nocturne.Api.Authorization;
using Nocturne.Api.Configuration;
using Nocturne.Api.Errors;
using Nocturne.Api.Routing;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>GET /api/v1/status[.json|.html|.txt|.js|.svg|.png]</c> (also under /api/v2, which mounts v1),
/// and <c>/api/versions</c>. Uploaders (xDrip+, Loop) call status.json first to learn units and
/// whether the site answers at all.
/// </summary>
public static class StatusApi
{
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/versions", () => TypedResults.Json(new object[]
        {
            new { version = "1.0.0", url = "/api/v1" },
            new { version = "2.0.0", url = "/api/v2" },
            new { version = NightscoutCompatibility.ApiV3Version, url = "/api/v3" },
        })).WithTags("Status").WithName("ApiVersions").PublicOnSite();

        foreach (var prefix in new[] { "/api/v1", "/api/v2" })
        {
            var group = app.MapGroup(prefix).WithTags("Status");
            group.MapGet("/status", (HttpContext http, IGrainFactory grains, TimeProvider time) => GetStatusAsync(http, grains, time))
                .RequirePermission("api:status:read");
        }

        return app;
    }

    // The reference reports the decoded token of a token or JWT caller, null otherwise.
    private static object? Authorized(AccessGrant grant) =>
        grant is { Outcome: AccessOutcome.Authenticated, Subject: not null }
            ? new { token = grant.AccessToken, sub = grant.Subject, permissionGroups = grant.PermissionGroups, iat = grant.IssuedAt, exp = grant.ExpiresAt }
            : null;

    // The reference's res.format offers, in its order: without Accept a browser-style caller gets HTML.
    private static readonly string[] Offers = ["text/html", "image/png", "image/svg+xml", "application/javascript", "text/plain", "application/json"];

    internal static async Task<IResult> GetStatusAsync(HttpContext http, IGrainFactory grains, TimeProvider time)
    {
        var format = ContentNegotiation.Choose(http.Request, Offers) switch
        {
            "text/html" => "html",
            "image/png" => "png",
            "image/svg+xml" => "svg",
            "application/javascript" => "js",
            "text/plain" => "txt",
            "application/json" => "json",
            _ => null,
        };
        if (format is null)
        {
            return NightscoutError.Result(StatusCodes.Status406NotAcceptable, "Not Acceptable");
        }

        // Badge redirects do not need the site's data.
        if (format is "svg" or "png")
        {
            return TypedResults.Redirect($"http://img.shields.io/badge/Nightscout-OK-green.{format}");
        }

        var site = http.Site();
        var settings = await grains.Site(site.SiteId).Access.GetSettingsAsync();
        if (settings is null)
        {
            // Disabled or deleted between authorisation and now.
            return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
        }

        var authFailDelay = http.RequestServices.GetRequiredService<IConfiguration>().GetValue("AUTH_FAIL_DELAY", 5000);
        var status = StatusDocument.From(settings, time.GetUtcNow(), Authorized(site.Grant), authFailDelay);
        if (format is "json" or "js" && site.Can(Push.FollowerPermission.Read))
        {
            status = status with { Alarms = await Push.AlarmStatusSource.ViewAsync(grains, site.SiteId, time) };
        }

        return format switch
        {
            "html" => TypedResults.Content("<h1>STATUS OK</h1>", "text/html"),
            "txt" => TypedResults.Text("STATUS OK", "text/plain"),
            "js" => TypedResults.Content($"this.serverSettings = {JsonSerializer.Serialize(status, NightscoutJson.Options)} ;", "application/javascript"),
            _ => TypedResults.Json(status, NightscoutJson.Options),
        };
    }
}
