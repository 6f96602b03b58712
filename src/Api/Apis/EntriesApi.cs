using System.Text.Json.Nodes;
using Nocturne.Api.Authorization;
using Nocturne.Api.Documents;
using Nocturne.Api.Errors;
using Nocturne.Api.Routing;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>/api/v1/entries</c> (also under /api/v2): what CGM uploaders write every five minutes and
/// followers read. Recent reads come from the patient grain's live window, the rest from PostgreSQL.
/// </summary>
public static class EntriesApi
{
    private const int DefaultCount = 10;

    public static IEndpointRouteBuilder MapEntriesApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api/v1", "/api/v2" })
        {
            var group = app.MapGroup(prefix).WithTags("Entries");
            group.MapGet("/entries", (HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time) =>
                ListAsync(http, grains, queries, time, null)).RequirePermission("api:entries:read");
            group.MapGet("/entries/current", (HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time) =>
                CurrentAsync(http, grains, queries, time)).RequirePermission("api:entries:read");
            group.MapGet("/entries/{spec}", (string spec, HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time) =>
                ObjectIds.IsValid(spec) ? ByIdAsync(http, queries, spec) : ListAsync(http, grains, queries, time, spec))
                .RequirePermission("api:entries:read");

            group.MapPost("/entries", (HttpContext http, IGrainFactory grains) => CreateAsync(http, grains))
                .RequirePermission("api:entries:create").WithBodyLimit(RequestBody.LargeLimit);
            group.MapPost("/entries/preview", async (HttpContext http) =>
            {
                var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.LargeLimit, http.RequestAborted);
                return body.Error ?? V1Responses.Json(JsonNode.Parse(body.Json!) is JsonArray ? body.Json! : $"[{body.Json}]");
            }).RequirePermission("api:entries:create").WithBodyLimit(RequestBody.LargeLimit);

            group.MapDelete("/entries", (HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time) =>
                DeleteAsync(http, grains, queries, time, null)).RequirePermission("api:entries:delete");
            group.MapDelete("/entries/{spec}", (string spec, HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time) =>
                DeleteAsync(http, grains, queries, time, spec)).RequirePermission("api:entries:delete");
        }

        return app;
    }

    /// <summary>
    /// The entries format the caller accepts, chosen as the reference's <c>res.format</c> does: its
    /// first offer is text/plain, so a request without Accept gets tab-separated text, as there.
    /// </summary>
    internal static string Format(HttpContext http) =>
        ContentNegotiation.Choose(http.Request, "text/plain", "text/tab-separated-values", "text/csv", "application/json") switch
        {
            "text/plain" => "txt",
            "text/tab-separated-values" => "tsv",
            "text/csv" => "csv",
            _ => "json",
        };

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time, string? type)
    {
        var site = http.Site().SiteId;
        var typeCondition = type is null or "*" ? [] : new[] { new FindCondition("type", "eq", [type], FindValueKind.Text) };
        var query = V1Query.Parse(Collection.Entries, http.Request.Query, DefaultCount, time.GetUtcNow(), extra: typeCondition);
        if (!V1Query.HasFind(http.Request.Query) && query.Sort.Count == 0
            && await grains.Site(site).Documents.GetRecentEntriesAsync(query.Limit, type is null or "*" ? null : type) is { } recent)
        {
            return RespondRecent(http, recent);
        }

        return await RespondFromPostgresAsync(http, queries, site, query);
    }

    private static async Task<IResult> CurrentAsync(HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time)
    {
        var site = http.Site().SiteId;
        if (await grains.Site(site).Documents.GetRecentEntriesAsync(1, null) is { } recent)
        {
            return RespondRecent(http, recent);
        }

        var query = new DocumentQuery(Collection.Entries,
            [new FindCondition("date", "gte", [(time.GetUtcNow() - V1Query.DefaultWindow).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)], FindValueKind.Number)], 1, []);
        return await RespondFromPostgresAsync(http, queries, site, query);
    }

    private static Task<IResult> ByIdAsync(HttpContext http, DocumentQueries queries, string id) =>
        RespondFromPostgresAsync(http, queries, http.Site().SiteId,
            new DocumentQuery(Collection.Entries, [new FindCondition("_id", "eq", [id.ToLowerInvariant()], FindValueKind.Text)], 1, []));

    // JSON readers get the array written from the stored text; the text formats need the fields.
    private static async Task<IResult> RespondFromPostgresAsync(HttpContext http, DocumentQueries queries, string site, DocumentQuery query)
    {
        if (Format(http) == "json")
        {
            var (json, newest) = await queries.FindV1JsonAsync(site, query, http.RequestAborted);
            return V1Responses.NotModified(http, newest) ? V1Responses.NotModifiedResult() : V1Responses.Json(json);
        }

        return Respond(http, (await queries.FindAsync(site, query, http.RequestAborted)).Select(d => d.ToV1Json()).ToList());
    }

    // The window's JSON is already in v1 shape: JSON readers get it as is, without a parse and re-serialise.
    // Every way out but the JSON answer gives a lent array back here; the JSON answer does once written.
    private static IResult RespondRecent(HttpContext http, RecentEntries recent)
    {
        var format = Format(http);
        if (format != "json")
        {
            List<JsonObject> items;
            try
            {
                items = ((JsonArray)JsonNode.Parse(recent.Utf8Json.Span)!).Select(n => (JsonObject)n!.DeepClone()).ToList();
            }
            finally
            {
                recent.Release();
            }

            return Respond(http, items);
        }

        if (V1Responses.NotModified(http, recent.NewestDate))
        {
            recent.Release();
            return V1Responses.NotModifiedResult();
        }

        return new JsonAnswer(recent);
    }

    private static IResult Respond(HttpContext http, List<JsonObject> items)
    {
        var format = Format(http);
        foreach (var item in items)
        {
            V1Responses.Shape(item, Collection.Entries);
        }

        var newest = items.Select(i => DocumentTime.TryNumber(i["date"], out var d) ? (long?)d : null).Max();
        if (V1Responses.NotModified(http, newest))
        {
            return V1Responses.NotModifiedResult();
        }

        return format == "json"
            ? V1Responses.Json(new JsonArray(items.ToArray<JsonNode>()).ToJsonString())
            : V1Responses.Text(items, format);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.LargeLimit, http.RequestAborted);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var outcome = await http.Site().Grains.Documents.WriteDocumentsAsync(Collection.Entries, body.Json!, WriteMode.Create);
        return outcome.IsDone ? V1Responses.Json(outcome.Value!) : outcome.ToV1Error();
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time, string? spec)
    {
        var site = http.Site().SiteId;
        var extra = spec switch
        {
            null or "*" => [],
            _ when ObjectIds.IsValid(spec) => new[] { new FindCondition("_id", "eq", [spec.ToLowerInvariant()], FindValueKind.Text) },
            _ => [new FindCondition("type", "eq", [spec], FindValueKind.Text)],
        };
        var query = V1Query.Parse(Collection.Entries, http.Request.Query, DocumentQueries.MaxLimit, time.GetUtcNow(), extra: extra);
        var ids = await queries.FindIdsAsync(site, query, http.RequestAborted);
        var deleted = await grains.Site(site).Documents.DeleteDocumentsAsync(Collection.Entries, ids);
        return Results.Json(new { acknowledged = true, deletedCount = deleted });
    }
}
