using System.Text.Json.Nodes;
using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Interfaces.StateSpans;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Oref;
using Nocturne.Grains.StateSpans;
using Nocturne.OrefInterop;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>GET /api/v4/chart-data?from=&amp;to=</c>: everything a chart of a time range needs in one
/// answer: readings, the effective basal series, boluses, carbs, the spans of every category,
/// IOB and COB every 5 minutes from oref, and the site's units and thresholds.
/// </summary>
public static class ChartDataApi
{
    /// <summary>The longest range one request may ask for (IOB and COB are computed for every 5 minutes of it).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromHours(72);

    private static readonly long Step = (long)TimeSpan.FromMinutes(5).TotalMilliseconds;

    public static IEndpointRouteBuilder MapChartDataApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v4/chart-data", async (HttpContext http, IGrainFactory grains, ChartDataSource source, StateSpanQueries spans, TimeProvider time) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var (from, to, rangeError) = StateSpansApi.ReadRange(http.Request.Query);
            if (rangeError is not null)
            {
                return rangeError;
            }

            var toMs = to ?? (from is { } f0 ? Math.Min(now, f0 + (long)TimeSpan.FromHours(24).TotalMilliseconds) : now);
            var fromMs = from ?? toMs - (long)TimeSpan.FromHours(24).TotalMilliseconds;
            if (fromMs >= toMs)
            {
                return BadRequest("from must be before to");
            }

            if (toMs - fromMs > MaxRange.TotalMilliseconds)
            {
                return BadRequest($"A chart covers at most {MaxRange.TotalHours:0} hours");
            }

            var site = http.Site().SiteId;
            var settings = await grains.Site(site).Access.GetSettingsAsync();
            if (settings is null)
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
            }

            await StateSpansApi.EnsureDerivedAsync(grains, site, null);
            var cancellation = http.RequestAborted;
            var glucose = await source.GlucoseAsync(site, fromMs - (long)OrefHistory.Span.TotalMilliseconds, toMs, cancellation);
            var treatments = await source.TreatmentsAsync(site, fromMs - (long)OrefHistory.Span.TotalMilliseconds, toMs, cancellation);
            var profiles = await source.ProfilesAsync(site, fromMs, toMs, cancellation);
            var inRange = await spans.FindAsync(site, new StateSpanQuery(FromMs: fromMs, ToMs: toMs, Count: StateSpanQueries.MaxCount), now, cancellation);

            var shownGlucose = glucose.Where(g => g.DateMs >= fromMs).ToList();
            var shownTreatments = treatments.Where(t => t.DateMs >= fromMs).ToList();
            var result = new JsonObject
            {
                ["from"] = fromMs,
                ["to"] = toMs,
                ["units"] = settings.Units,
                ["thresholds"] = new JsonObject
                {
                    ["bgHigh"] = settings.Thresholds.BgHigh,
                    ["bgTargetTop"] = settings.Thresholds.BgTargetTop,
                    ["bgTargetBottom"] = settings.Thresholds.BgTargetBottom,
                    ["bgLow"] = settings.Thresholds.BgLow,
                },
                ["glucose"] = new JsonArray(shownGlucose.Select(g => (JsonNode)new JsonObject
                {
                    ["mills"] = g.DateMs,
                    ["sgv"] = g.Doc["sgv"]?.DeepClone(),
                    ["direction"] = g.Doc["direction"]?.DeepClone(),
                }).ToArray()),
                ["basal"] = new JsonArray(BasalSeries.Build(fromMs, toMs, profiles, inRange).Select(p => (JsonNode)new JsonObject
                {
                    ["mills"] = p.Mills,
                    ["rate"] = p.Rate,
                    ["scheduled"] = p.Scheduled,
                    ["type"] = p.Type,
                    ["profile"] = p.Profile,
                }).ToArray()),
                ["boluses"] = Picked(shownTreatments, "insulin"),
                ["carbs"] = Picked(shownTreatments, "carbs"),
                ["spans"] = new JsonArray(inRange.OrderBy(s => s.StartMills).Select(s => (JsonNode)StateSpansApi.Shape(s)).ToArray()),
            };

            await AddInsulinAndCarbsAsync(result, grains, profiles, treatments, glucose, fromMs, toMs);
            return TypedResults.Json(result);
        }).RequirePermission("api:entries:read", "api:treatments:read", "api:profile:read");

        return app;
    }

    private static JsonArray Picked(IEnumerable<StoredDocument> treatments, string field) =>
        new(treatments.Where(t => t.Doc[field] is { } v && DocumentTime.TryNumber(v, out var n) && n > 0)
            .Select(t => (JsonNode)new JsonObject
            {
                ["_id"] = t.ObjectId,
                ["mills"] = t.DateMs,
                ["eventType"] = t.Type,
                [field] = t.Doc[field]!.DeepClone(),
            }).ToArray());

    // IOB and COB at every 5-minute mark of the range, each from the treatments and readings known by then.
    private static async Task AddInsulinAndCarbsAsync(JsonObject result, IGrainFactory grains, List<StoredDocument> profiles, List<StoredDocument> treatments,
        List<StoredDocument> glucose, long fromMs, long toMs)
    {
        var (mapped, problem) = OrefProfileMapper.Map(profiles.MaxBy(p => p.DateMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs), null);
        if (mapped is null)
        {
            result["iob"] = new JsonArray();
            result["cob"] = new JsonArray();
            result["insulinProblem"] = problem;
            return;
        }

        var history = OrefHistory.Treatments(treatments);
        var historyMs = history.Select(h => DocumentTime.TryParse(h.CreatedAt, out var at) ? at.ToUnixTimeMilliseconds() : long.MinValue).ToArray();
        var readings = OrefHistory.Glucose(glucose);
        var marks = new List<IobCobPoint>();
        for (var t = (fromMs + Step - 1) / Step * Step; t <= toMs; t += Step)
        {
            // Both lists are newest first: what was known at t is the tail from the first record not
            // after t, and the readings seen are those of the day before t.
            var clock = t;
            var historyFrom = Array.FindIndex(historyMs, ms => ms <= clock);
            var glucoseFrom = readings.FindIndex(r => r.Date <= clock);
            glucoseFrom = glucoseFrom < 0 ? readings.Count : glucoseFrom;
            var glucoseTo = readings.FindIndex(glucoseFrom, r => r.Date <= clock - (long)OrefHistory.Span.TotalMilliseconds);
            marks.Add(new IobCobPoint(t, historyFrom < 0 ? history.Count : historyFrom, glucoseFrom, glucoseTo < 0 ? readings.Count : glucoseTo));
        }

        IReadOnlyList<IobCobValue> values;
        try
        {
            values = await grains.GetGrain<IOrefGrain>(0).CalculateIobCobSeriesAsync(
                new IobCobSeriesRequest(history, mapped.Profile, readings, marks, mapped.UtcOffsetMinutes, mapped.UtcOffsets));
        }
        catch (OrefException)
        {
            // oref refusing the whole request (the profile, too many records) leaves the series empty rather than failing the chart.
            values = [];
        }

        // A point oref refuses is left out rather than failing the chart.
        var points = values.Zip(marks)
            .Where(v => v.First.Iob is not null && v.First.IobError is null && v.First.MealError is null)
            .Select(v => (Mills: v.Second.Clock, Iob: v.First.Iob!, Cob: v.First.Meal?.MealCob))
            .ToList();
        result["iob"] = new JsonArray(points.Select(p => (JsonNode)new JsonObject
        {
            ["mills"] = p.Mills,
            ["iob"] = Math.Round(p.Iob.Iob, 3),
            ["basaliob"] = Math.Round(p.Iob.BasalIob, 3),
            ["bolusiob"] = Math.Round(p.Iob.BolusIob, 3),
            ["activity"] = Math.Round(p.Iob.Activity, 5),
        }).ToArray());
        result["cob"] = new JsonArray(points.Where(p => p.Cob is not null).Select(p => (JsonNode)new JsonObject
        {
            ["mills"] = p.Mills,
            ["cob"] = Math.Round(p.Cob!.Value, 1),
        }).ToArray());
    }

    private static IResult BadRequest(string description) => NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", description);
}
