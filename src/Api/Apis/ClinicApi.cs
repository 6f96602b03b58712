using Nocturne.Api.Authorization;
using Nocturne.Api.Clinics;
using Nocturne.Api.Errors;
using Nocturne.Grains.Clinics;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Clinics;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Statistics;

namespace Nocturne.Api.Apis;

/// <summary>
/// v4, a clinic's side (on the clinic's own site, with its staff's credentials): accept a patient's
/// share code, the board over every patient who shares with the clinic, and one patient's chart
/// data and report. Staff only ever read; every access is in that patient's audit log. A patient
/// who does not share with this clinic is answered 404, as if unknown.
/// </summary>
public static class ClinicApi
{
    private static readonly TimeSpan LongestChart = TimeSpan.FromDays(2);

    public static IEndpointRouteBuilder MapClinicApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v4/clinic").WithTags("API v4 clinic");

        group.MapPost("/invitations/accept", async (AcceptInvitationRequest? body, HttpContext http, ClinicStore store, ClinicBoardNotice notice, CancellationToken cancellationToken) =>
        {
            var access = http.Site();
            if (!access.Grant.IsClinic)
            {
                return NotAClinic();
            }

            if (string.IsNullOrWhiteSpace(body?.Code) || body.Code.Length > 64)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "code is required");
            }

            var (result, patient) = await store.AcceptAsync(access.SiteId, body.Code, access.Grant.Subject, cancellationToken);
            if (result == InvitationAcceptance.Accepted)
            {
                await notice.SendAsync(access.SiteId, patient!);
            }

            return result switch
            {
                InvitationAcceptance.Accepted => TypedResults.Json(new { patient }, NightscoutJson.Options),
                InvitationAcceptance.ExpiredOrUsed => NightscoutError.Result(StatusCodes.Status410Gone, "Gone", "This share code has expired or was already used"),
                InvitationAcceptance.OwnSite => NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "A site cannot share with itself"),
                _ => NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", "Unknown share code"),
            };
        }).RequirePermission("clinic:invitations:accept");

        group.MapGet("/board", async (HttpContext http, IGrainFactory grains) =>
        {
            var access = http.Site();
            if (!access.Grant.IsClinic)
            {
                return NotAClinic();
            }

            var board = await grains.GetGrain<IClinicGrain>(access.SiteId).GetBoardAsync(access.Grant.Subject);
            return TypedResults.Json(board, NightscoutJson.Options);
        }).RequirePermission("clinic:patients:read");

        group.MapGet("/patients/{patient}/statistics", async (string patient, HttpContext http, ClinicStore store, StatisticsQueries queries, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var access = http.Site();
            if (!await FollowsAsync(store, access.SiteId, patient, cancellationToken))
            {
                return NotShared();
            }

            await store.AuditAsync(patient, access.SiteId, access.Grant.Subject, "report", cancellationToken);
            return await StatisticsApi.ReportAsync(patient, http.Request.Query, queries, time, cancellationToken);
        }).RequirePermission("clinic:patients:read");

        group.MapGet("/patients/{patient}/chart", async (string patient, HttpContext http, ClinicStore store, StatisticsQueries queries, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var access = http.Site();
            if (!await FollowsAsync(store, access.SiteId, patient, cancellationToken))
            {
                return NotShared();
            }

            var text = http.Request.Query["hours"].ToString();
            var hours = 24;
            if (text.Length > 0 && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out hours) || hours < 1 || hours > LongestChart.TotalHours))
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", $"hours must be between 1 and {LongestChart.TotalHours}");
            }

            await store.AuditAsync(patient, access.SiteId, access.Grant.Subject, "chart", cancellationToken);
            var to = time.GetUtcNow().ToUnixTimeMilliseconds();
            var from = to - hours * 3_600_000L;
            var settings = await grains.Site(patient).Access.GetSettingsAsync() ?? new SiteSettings();
            return TypedResults.Json(new
            {
                patient,
                units = settings.Units,
                thresholds = settings.Thresholds,
                readings = await queries.ReadingsAsync(patient, from, to, cancellationToken),
                treatments = await queries.TreatmentAmountsAsync(patient, from, to, cancellationToken),
            }, NightscoutJson.Options);
        }).RequirePermission("clinic:patients:read");

        return app;
    }

    private static async Task<bool> FollowsAsync(ClinicStore store, string clinic, string patient, CancellationToken cancellationToken) =>
        SiteIds.IsValid(patient) && await store.FollowsAsync(clinic, patient, cancellationToken);

    private static IResult NotAClinic() => NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", "This site is not a clinic");

    private static IResult NotShared() => NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", "No patient of this clinic has that id");
}
