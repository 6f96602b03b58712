using Nocturne.Api.Authorization;
using Nocturne.Api.Clinics;
using Nocturne.Api.Errors;
using Nocturne.Grains.Clinics;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// v4, a patient's side of clinic sharing (site admins: <c>admin:api:clinics</c>): invite a clinic
/// with a one-time share code, list and revoke the clinics that follow the site, and read what
/// they did (the audit log).
/// </summary>
public static class ClinicSharesApi
{
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(7);
    public static readonly TimeSpan LongestValidity = TimeSpan.FromDays(30);

    public static IEndpointRouteBuilder MapClinicSharesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v4/clinic-shares").WithTags("API v4 clinic sharing").RequirePermission("admin:api:clinics");

        group.MapPost("/invitations", async (ClinicInvitationRequest? body, HttpContext http, ClinicStore store, CancellationToken cancellationToken) =>
        {
            var site = http.Site().SiteId;
            if (http.Site().Grant.IsClinic)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "A clinic site has no data to share");
            }

            var hours = body?.ExpiresInHours ?? (int)DefaultValidity.TotalHours;
            if (hours < 1 || hours > LongestValidity.TotalHours)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", $"expiresInHours must be between 1 and {LongestValidity.TotalHours}");
            }

            var code = ShareCodes.New();
            var expires = await store.InviteAsync(site, code, TimeSpan.FromHours(hours), cancellationToken);
            // The code is shown this once: only its hash is stored.
            return TypedResults.Json(new { code, expiresAt = expires }, NightscoutJson.Options, statusCode: StatusCodes.Status201Created);
        });

        group.MapGet("/", async (HttpContext http, ClinicStore store, CancellationToken cancellationToken) =>
        {
            var site = http.Site().SiteId;
            return TypedResults.Json(new
            {
                clinics = await store.SharesOfAsync(site, cancellationToken),
                invitations = await store.InvitationsOfAsync(site, cancellationToken),
            }, NightscoutJson.Options);
        });

        group.MapDelete("/{clinic}", async (string clinic, HttpContext http, ClinicStore store, ClinicBoardNotice notice, CancellationToken cancellationToken) =>
        {
            var access = http.Site();
            if (!SiteIds.IsValid(clinic) || !await store.RevokeAsync(access.SiteId, clinic, access.Grant.Subject, cancellationToken))
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", "This clinic does not follow the site");
            }

            await notice.SendAsync(clinic, access.SiteId);
            return TypedResults.Json(new { revoked = clinic }, NightscoutJson.Options);
        });

        group.MapGet("/audit", async (HttpContext http, ClinicStore store, CancellationToken cancellationToken) =>
        {
            var text = http.Request.Query["count"].ToString();
            var count = 100;
            if (text.Length > 0 && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > 10_000))
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "count must be between 1 and 10000");
            }

            return TypedResults.Json(await store.AuditOfAsync(http.Site().SiteId, count, cancellationToken), NightscoutJson.Options);
        });

        return app;
    }
}
