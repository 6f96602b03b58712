using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Documents;

namespace Nocturne.Api.Apis;

/// <summary>
/// A site's whole data as a zip of Nightscout JSON lines (see <see cref="SiteExport"/>): for the
/// operator at <c>GET /api/admin/tenants/{id}/export</c>, and for the site's own admin at
/// <c>GET /api/v4/export</c> (permission <c>admin:api:export</c>, which the built-in admin role
/// holds and the readable role does not).
/// </summary>
public static class ExportApi
{
    public const string SitePermission = "admin:api:export";

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/tenants/{id}/export", async (string id, HttpContext http, SiteExport export) =>
        {
            if (!await export.SiteExistsAsync(id, http.RequestAborted))
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
            }

            return StreamZip(id, export, http);
        }).WithTags("Operator").OperatorOnly();

        app.MapGet("/api/v4/export", (HttpContext http, SiteExport export) => StreamZip(http.Site().SiteId, export, http))
            .WithTags("API v4 export").RequirePermission(SitePermission);
        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.PushStreamHttpResult StreamZip(string site, SiteExport export, HttpContext http) =>
        TypedResults.Stream(
            stream => export.WriteZipAsync(site, stream, http.RequestAborted),
            contentType: "application/zip",
            fileDownloadName: $"{site}-nightscout-export.zip");
}
