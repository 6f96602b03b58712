using System.Globalization;
using System.Text.Json;
using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Statistics;

namespace Nocturne.Api.Apis;

/// <summary>
/// v4: the report a clinician opens before an appointment: consensus time in ranges, mean, SD,
/// CV, GMI, sensor use, AGP percentiles and daily insulin and carbs over a period (14 days by
/// default, at most 366).
/// </summary>
public static class StatisticsApi
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(14);
    public static readonly TimeSpan LongestPeriod = TimeSpan.FromDays(366);

    // Empty AGP slots keep their null percentiles: a chart needs to see the gap.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v4/statistics", GetStatisticsAsync)
            .WithTags("API v4 statistics")
            .RequirePermission("api:entries:read", "api:treatments:read", "api:profile:read");
        return app;
    }

    private static Task<IResult> GetStatisticsAsync(HttpContext http, StatisticsQueries queries, TimeProvider time, CancellationToken cancellationToken) =>
        ReportAsync(http.Site().SiteId, http.Request.Query, queries, time, cancellationToken);

    /// <summary>The report of one site for the request's <c>from</c>/<c>to</c> (also what a clinic reads of a patient).</summary>
    internal static async Task<IResult> ReportAsync(string site, IQueryCollection query, StatisticsQueries queries, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!TryTime(query["to"], out var to) || !TryTime(query["from"], out var from))
        {
            return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "from and to must be epoch milliseconds or ISO-8601 dates");
        }

        var end = to ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        var start = from ?? end - (long)DefaultPeriod.TotalMilliseconds;
        if (start >= end)
        {
            return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "from must be before to");
        }

        if (end - start > (long)LongestPeriod.TotalMilliseconds)
        {
            return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "the period is longer than 366 days");
        }

        var zone = await queries.ZoneAsync(site, cancellationToken);
        var readings = await queries.ReadingsAsync(site, start, end, cancellationToken);
        var treatments = await queries.TreatmentAmountsAsync(site, start, end, cancellationToken);
        return TypedResults.Json(GlucoseReportBuilder.Build(readings, treatments, start, end, zone), Json);
    }

    // Epoch milliseconds or an ISO-8601 date; absent is fine (the default applies).
    private static bool TryTime(string? text, out long? mills)
    {
        mills = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            mills = DocumentTime.ToMilliseconds(number);
        }
        else if (DocumentTime.TryParse(text, out var parsed))
        {
            mills = parsed.ToUnixTimeMilliseconds();
        }

        return mills is not null;
    }
}
