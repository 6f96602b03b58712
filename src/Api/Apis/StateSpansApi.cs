using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Api.Authorization;
using Nocturne.Api.Documents;
using Nocturne.Api.Errors;
using Nocturne.Api.Routing;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.StateSpans;
using Nocturne.Grains.StateSpans;

namespace Nocturne.Api.Apis;

/// <summary>
/// v4 StateSpans: which profile, override, temp basal, pump mode and connectivity was in force
/// when, derived from the site's treatments and device status, plus manual spans (Sleep,
/// Exercise, Illness, Travel, a manual Override). Reading needs <c>api:statespans:read</c> or
/// <c>api:treatments:read</c>; writing manual spans (and rebuilding) needs <c>api:statespans:create</c>.
/// </summary>
public static class StateSpansApi
{
    public const string ReadPermission = "api:statespans:read";
    public const string CreatePermission = "api:statespans:create";
    public const string TreatmentsRead = "api:treatments:read";

    /// <summary>The per-category shortcut paths.</summary>
    public static IReadOnlyDictionary<string, StateSpanCategory> Shortcuts { get; } = new Dictionary<string, StateSpanCategory>
    {
        ["profiles"] = StateSpanCategory.Profile,
        ["overrides"] = StateSpanCategory.Override,
        ["temp-basals"] = StateSpanCategory.TempBasal,
        ["pump-modes"] = StateSpanCategory.PumpMode,
        ["connectivity"] = StateSpanCategory.PumpConnectivity,
        ["sleep"] = StateSpanCategory.Sleep,
        ["exercise"] = StateSpanCategory.Exercise,
        ["illness"] = StateSpanCategory.Illness,
        ["travel"] = StateSpanCategory.Travel,
    };

    public static IEndpointRouteBuilder MapStateSpansApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v4/state-spans").WithTags("API v4 StateSpans");

        group.MapGet("/", (HttpContext http, IGrainFactory grains, StateSpanQueries queries, TimeProvider time) => SearchAsync(http, grains, queries, time, null))
            .RequireEitherPermission(ReadPermission, TreatmentsRead);

        foreach (var (path, category) in Shortcuts)
        {
            group.MapGet("/" + path, (HttpContext http, IGrainFactory grains, StateSpanQueries queries, TimeProvider time) => SearchAsync(http, grains, queries, time, category))
                .RequireEitherPermission(ReadPermission, TreatmentsRead);
        }

        group.MapGet("/at/{time}", async (string time, HttpContext http, IGrainFactory grains, StateSpanQueries queries) =>
        {
            if (!TryParseInstant(time, out var atMs))
            {
                return BadRequest($"'{time}' is not a time: give epoch milliseconds or an ISO 8601 date");
            }

            var site = http.Site().SiteId;
            await EnsureDerivedAsync(grains, site, null);
            var spans = await queries.AtAsync(site, atMs, http.RequestAborted);
            return TypedResults.Json(InForce(atMs, spans));
        }).RequireEitherPermission(ReadPermission, TreatmentsRead);

        group.MapGet("/{id}", async (string id, HttpContext http, IGrainFactory grains, StateSpanQueries queries) =>
        {
            await EnsureDerivedAsync(grains, http.Site().SiteId, null);
            return await queries.FindByIdAsync(http.Site().SiteId, id, http.RequestAborted) is { } span
                ? TypedResults.Json(Shape(span))
                : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", $"No span {id}");
        }).RequireEitherPermission(ReadPermission, TreatmentsRead);

        group.MapPost("/", async (HttpContext http, IGrainFactory grains) =>
        {
            var (category, manual, error) = await ReadManualAsync(http, null);
            if (error is not null)
            {
                return error;
            }

            var outcome = await Grain(grains, http, category).CreateManualAsync(manual!);
            return outcome.Span is { } span
                ? TypedResults.Json(Shape(span), statusCode: StatusCodes.Status201Created)
                : NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "The span is hidden by another span starting at the same time");
        }).RequirePermission(CreatePermission).WithBodyLimit(RequestBody.SmallLimit);

        group.MapPut("/{id}", async (string id, HttpContext http, IGrainFactory grains, StateSpanQueries queries) =>
        {
            if (await queries.FindByIdAsync(http.Site().SiteId, id, http.RequestAborted) is not { } existing)
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", $"No span {id}");
            }

            var (category, manual, error) = await ReadManualAsync(http, existing.Category);
            if (error is not null)
            {
                return error;
            }

            return Written(await Grain(grains, http, category).UpdateManualAsync(id, manual!));
        }).RequirePermission(CreatePermission).WithBodyLimit(RequestBody.SmallLimit);

        group.MapDelete("/{id}", async (string id, HttpContext http, IGrainFactory grains, StateSpanQueries queries) =>
        {
            if (await queries.FindByIdAsync(http.Site().SiteId, id, http.RequestAborted) is not { } existing)
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", $"No span {id}");
            }

            var outcome = await Grain(grains, http, existing.Category).DeleteManualAsync(id);
            return outcome.Result == ManualSpanResult.Done ? TypedResults.Json(new { deleted = id }) : Written(outcome);
        }).RequirePermission(CreatePermission);

        group.MapPost("/rebuild", async (HttpContext http, IGrainFactory grains) =>
        {
            var site = http.Site().SiteId;
            var counts = await Task.WhenAll(StateSpanCategories.All.Select(async c => (c, await grains.GetGrain<IStateSpanGrain>(StateSpanCategories.GrainKey(site, c)).RebuildAsync())));
            return TypedResults.Json(counts.ToDictionary(x => x.c.ToString(), x => x.Item2));
        }).RequirePermission(CreatePermission);

        return app;
    }

    /// <summary>Spans of one category or all, validated the same way everywhere.</summary>
    private static async Task<IResult> SearchAsync(HttpContext http, IGrainFactory grains, StateSpanQueries queries, TimeProvider time, StateSpanCategory? fixedCategory)
    {
        var (query, error) = ParseQuery(http.Request.Query, fixedCategory);
        if (error is not null)
        {
            return error;
        }

        var site = http.Site().SiteId;
        await EnsureDerivedAsync(grains, site, query!.Category);
        var spans = await queries.FindAsync(site, query, time.GetUtcNow().ToUnixTimeMilliseconds(), http.RequestAborted);
        return TypedResults.Json(new JsonArray(spans.Select(s => (JsonNode)Shape(s)).ToArray()));
    }

    public static (StateSpanQuery? Query, IResult? Error) ParseQuery(IQueryCollection q, StateSpanCategory? fixedCategory)
    {
        var category = fixedCategory;
        var categoryText = q["category"].ToString();
        if (categoryText.Length > 0)
        {
            if (!StateSpanCategories.TryParse(categoryText, out var parsed))
            {
                return (null, BadRequest($"Unknown category '{categoryText}'; known: {string.Join(", ", StateSpanCategories.All)}"));
            }

            if (fixedCategory is { } f && f != parsed)
            {
                return (null, BadRequest($"This path lists {f} spans; category '{categoryText}' contradicts it"));
            }

            category = parsed;
        }

        string? state = null;
        var stateText = q["state"].ToString();
        if (stateText.Length > 0)
        {
            state = category is { } c ? StateSpanCategories.State(c, stateText)
                : StateSpanCategories.All.Select(x => StateSpanCategories.State(x, stateText)).FirstOrDefault(s => s is not null);
            if (state is null)
            {
                return (null, BadRequest($"Unknown state '{stateText}'{(category is { } k ? $" for {k}; known: {string.Join(", ", StateSpanCategories.States(k))}" : "")}"));
            }
        }

        var (from, to, rangeError) = ReadRange(q);
        if (rangeError is not null)
        {
            return (null, rangeError);
        }

        if (from > to)
        {
            return (null, BadRequest("from must not be after to"));
        }

        bool? active = null;
        var activeText = q["active"].ToString();
        if (activeText.Length > 0)
        {
            if (!bool.TryParse(activeText, out var a))
            {
                return (null, BadRequest("active must be true or false"));
            }

            active = a;
        }

        if (!TryCount(q, "count", 100, StateSpanQueries.MaxCount, out var count) || !TryCount(q, "skip", 0, int.MaxValue, out var skip))
        {
            return (null, BadRequest($"count must be a whole number from 0 to {StateSpanQueries.MaxCount}, skip a whole number from 0"));
        }

        var source = q["source"].ToString();
        return (new StateSpanQuery(category, state, from, to, source.Length > 0 ? source : null, active, count, skip), null);
    }

    /// <summary>The <c>from</c> and <c>to</c> query parameters as epoch milliseconds (absent: null), or a 400.</summary>
    internal static (long? From, long? To, IResult? Error) ReadRange(IQueryCollection q)
    {
        var values = new long?[2];
        string[] names = ["from", "to"];
        for (var i = 0; i < names.Length; i++)
        {
            var text = q[names[i]].ToString();
            if (text.Length == 0)
            {
                continue;
            }

            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return (null, null, BadRequest($"{names[i]} must be a time in epoch milliseconds, not '{text}'"));
            }

            values[i] = value;
        }

        return (values[0], values[1], null);
    }

    private static bool TryCount(IQueryCollection q, string name, int fallback, int max, out int value)
    {
        var text = q[name].ToString();
        value = fallback;
        return text.Length == 0 || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max);
    }

    /// <summary>Epoch milliseconds, or an ISO 8601 date with its offset.</summary>
    public static bool TryParseInstant(string text, out long ms)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ms))
        {
            return true;
        }

        if (text.Length >= 10 && char.IsDigit(text[0]) && DocumentTime.TryParse(text, out var parsed))
        {
            ms = parsed.ToUnixTimeMilliseconds();
            return true;
        }

        return false;
    }

    // A category grain derives its history when it first activates: any read of a site's spans wakes the grains it reads.
    internal static async Task EnsureDerivedAsync(IGrainFactory grains, string site, StateSpanCategory? category) =>
        await Task.WhenAll((category is { } c ? [c] : StateSpanCategories.All).Select(x => grains.GetGrain<IStateSpanGrain>(StateSpanCategories.GrainKey(site, x)).GetActiveAsync()));

    private static async Task<(StateSpanCategory Category, ManualSpan? Span, IResult? Error)> ReadManualAsync(HttpContext http, StateSpanCategory? existing)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.SmallLimit, http.RequestAborted);
        if (body.Error is not null)
        {
            return (default, null, body.Error);
        }

        if (JsonNode.Parse(body.Json!) is not JsonObject json)
        {
            return (default, null, BadRequest("Body must be one JSON object"));
        }

        var categoryText = JsonText.Of(json["category"]);
        StateSpanCategory category;
        if (categoryText is null && existing is { } known)
        {
            category = known;
        }
        else if (!StateSpanCategories.TryParse(categoryText, out category))
        {
            return (default, null, BadRequest($"category must be one of {string.Join(", ", StateSpanCategories.All.Where(StateSpanCategories.AcceptsManual))}"));
        }

        if (existing is { } was && was != category)
        {
            return (default, null, BadRequest($"A {was} span cannot become a {category} span"));
        }

        if (!StateSpanCategories.AcceptsManual(category))
        {
            return (default, null, BadRequest($"{category} spans are derived from treatments and device status; manual spans go to " +
                string.Join(", ", StateSpanCategories.All.Where(StateSpanCategories.AcceptsManual))));
        }

        var stateText = JsonText.Of(json["state"]) ?? (category == StateSpanCategory.Override ? "Custom" : "Active");
        if (StateSpanCategories.State(category, stateText) is not { } state)
        {
            return (default, null, BadRequest($"Unknown state '{stateText}' for {category}; known: {string.Join(", ", StateSpanCategories.States(category))}"));
        }

        if (!Millis(json["startMills"], out var start) || start is null)
        {
            return (default, null, BadRequest("startMills must be a time in epoch milliseconds"));
        }

        if (!Millis(json["endMills"], out var end) || (end is { } e && e <= start))
        {
            return (default, null, BadRequest("endMills must be epoch milliseconds after startMills, or null while the span is active"));
        }

        if (json["metadata"] is not (null or JsonObject))
        {
            return (default, null, BadRequest("metadata must be a JSON object"));
        }

        if (!JsonText.IsTextOrAbsent(json["source"]))
        {
            return (default, null, BadRequest("source must be text"));
        }

        return (category, new ManualSpan(state, start.Value, end, JsonText.Of(json["source"]), json["metadata"]?.ToJsonString() ?? "{}"), null);
    }

    private static bool Millis(JsonNode? node, out long? ms)
    {
        ms = null;
        if (node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e15)
        {
            ms = (long)d;
            return true;
        }

        return false;
    }

    private static IResult Written(ManualSpanOutcome outcome) => outcome.Result switch
    {
        ManualSpanResult.Done when outcome.Span is { } span => TypedResults.Json(Shape(span)),
        ManualSpanResult.Done => NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "The span is hidden by another span starting at the same time"),
        ManualSpanResult.Derived => BadRequest(outcome.Message!),
        _ => NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", outcome.Message),
    };

    private static IResult BadRequest(string description) => NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", description);

    private static IStateSpanGrain Grain(IGrainFactory grains, HttpContext http, StateSpanCategory category) =>
        grains.GetGrain<IStateSpanGrain>(StateSpanCategories.GrainKey(http.Site().SiteId, category));

    /// <summary>What was in force at an instant: one entry per category (null when nothing), the annotated ones as lists.</summary>
    public static JsonObject InForce(long atMs, IReadOnlyList<StateSpan> spans)
    {
        var result = new JsonObject { ["mills"] = atMs, ["dateString"] = DocumentTime.Iso(atMs) };
        foreach (var category in StateSpanCategories.All)
        {
            var name = char.ToLowerInvariant(category.ToString()[0]) + category.ToString()[1..];
            var inCategory = spans.Where(s => s.Category == category).OrderByDescending(s => s.StartMills).ToList();
            result[name] = StateSpanCategories.IsExclusive(category)
                ? inCategory.FirstOrDefault() is { } span ? Shape(span) : null
                : new JsonArray(inCategory.Select(s => (JsonNode)Shape(s)).ToArray());
        }

        return result;
    }

    public static JsonObject Shape(StateSpan span) => new()
    {
        ["id"] = span.Id,
        ["category"] = span.Category.ToString(),
        ["state"] = span.State,
        ["startMills"] = span.StartMills,
        ["endMills"] = span.EndMills,
        ["source"] = span.Source,
        ["metadata"] = JsonNode.Parse(span.MetadataJson),
        ["originalId"] = span.OriginalId,
        ["canonicalId"] = span.CanonicalId,
        ["sources"] = new JsonArray(span.Sources.Select(s => (JsonNode?)s).ToArray()),
        ["manual"] = span.Manual,
        ["createdAt"] = DocumentTime.Iso(span.CreatedAt),
        ["updatedAt"] = DocumentTime.Iso(span.UpdatedAt),
    };
}
