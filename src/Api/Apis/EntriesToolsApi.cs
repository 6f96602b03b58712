using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Nocturne.Api.Authorization;
using Nocturne.Api.Documents;
using Nocturne.Api.Errors;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Api.Apis;

/// <summary>
/// The reference's query helpers under /api/v1: <c>/count/{storage}/where</c>, <c>/echo/...</c>
/// (shows the query it would run), <c>/times/...</c> and <c>/slice/...</c> (brace-expanded patterns
/// on dateString or another field).
/// </summary>
public static class EntriesToolsApi
{
    public static IEndpointRouteBuilder MapEntriesToolsApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api/v1", "/api/v2" })
        {
            var group = app.MapGroup(prefix).WithTags("Entries");

            group.MapGet("/count/{storage}/where", async (string storage, HttpContext http, DocumentQueries queries, TimeProvider time) =>
            {
                if (!TryStorage(storage, out var collection))
                {
                    return UnknownStorage(storage);
                }

                var query = V1Query.Parse(collection, http.Request.Query, DocumentQueries.MaxLimit, time.GetUtcNow());
                var count = await queries.CountAsync(http.Site().SiteId, query, http.RequestAborted);
                // Mongo's $group over nothing yields no group at all.
                return V1Responses.Json(count == 0 ? "[]" : $"[{{\"_id\":null,\"count\":{count}}}]");
            }).RequirePermission("api:entries:read");

            group.MapGet("/echo/{echo}/{model?}/{spec?}", (string echo, string? model, string? spec, HttpContext http, TimeProvider time) =>
            {
                if (!TryStorage(echo, out var collection))
                {
                    return UnknownStorage(echo);
                }

                var extra = model is null or "*" ? [] : new[] { new FindCondition(collection == Collection.Treatments ? "eventType" : "type", "eq", [model], FindValueKind.Text) };
                var query = V1Query.Parse(collection, http.Request.Query, 10, time.GetUtcNow(), extra: extra);
                var parameters = new JsonObject { ["echo"] = echo };
                if (model is not null)
                {
                    parameters["model"] = model;
                }

                if (spec is not null)
                {
                    parameters["spec"] = spec;
                }

                return V1Responses.Json(new JsonObject
                {
                    ["query"] = MongoEcho.Render(query),
                    ["input"] = MongoEcho.Input(http.Request.Query),
                    ["params"] = parameters,
                    ["storage"] = echo,
                }.ToJsonString());
            }).RequirePermission("api:entries:read");

            group.MapGet("/times/echo/{prefix?}/{regex?}", (string? prefix, string? regex, HttpContext http) =>
                V1Responses.Json(new JsonObject
                {
                    ["req"] = new JsonObject
                    {
                        ["params"] = new JsonObject { ["prefix"] = prefix, ["regex"] = regex },
                        ["query"] = MongoEcho.Input(http.Request.Query),
                    },
                    ["pattern"] = new JsonArray(Patterns(prefix, regex).Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
                }.ToJsonString())).RequirePermission("api:entries:read");

            group.MapGet("/times/{prefix?}/{regex?}", (string? prefix, string? regex, HttpContext http, DocumentQueries queries, TimeProvider time) =>
                SliceAsync(http, queries, time, Collection.Entries, "dateString", null, prefix, regex)).RequirePermission("api:entries:read");

            group.MapGet("/slice/{storage}/{field}/{type?}/{prefix?}/{regex?}",
                (string storage, string field, string? type, string? prefix, string? regex, HttpContext http, DocumentQueries queries, TimeProvider time) =>
                    TryStorage(storage, out var collection)
                        ? SliceAsync(http, queries, time, collection, field, type, prefix, regex)
                        : Task.FromResult(UnknownStorage(storage))).RequirePermission("api:entries:read");
        }

        return app;
    }

    private static async Task<IResult> SliceAsync(HttpContext http, DocumentQueries queries, TimeProvider time, Collection collection, string field,
        string? type, string? prefix, string? regex)
    {
        var typeValue = type ?? "";
        var format = EntriesApi.Format(http);
        var patterns = Patterns(prefix, regex);
        var alternation = "^(?:" + string.Join("|", patterns) + ")";
        var conditions = new List<FindCondition> { new(field, "regex", [alternation], FindValueKind.Regex) };
        if (typeValue.Length > 0 && typeValue != "*")
        {
            conditions.Add(new FindCondition("type", "eq", [typeValue], FindValueKind.Text));
        }

        var query = V1Query.Parse(collection, http.Request.Query, 10, time.GetUtcNow(), implicitWindow: false, extra: conditions);
        var documents = await queries.FindAsync(http.Site().SiteId, query, http.RequestAborted);
        var items = documents.Select(d => V1Responses.Shape(d.ToV1Json(), collection)).ToList();
        return format == "json"
            ? V1Responses.Json(new JsonArray(items.Select(i => (JsonNode)i).ToArray()).ToJsonString())
            : V1Responses.Text(items, format);
    }

    // Each expansion of prefix and regex, prefix first; the regex part is a regular expression already.
    private static List<string> Patterns(string? prefix, string? regex)
    {
        var prefixes = BraceExpansion.Expand(prefix ?? "");
        var regexes = BraceExpansion.Expand(regex ?? ".*");
        var patterns = prefixes.SelectMany(p => regexes.Select(r => Regex.Escape(p) + r)).ToList();
        if (patterns.Count > BraceExpansion.MaxResults)
        {
            throw new V1QueryException($"Brace expansion gives more than {BraceExpansion.MaxResults} patterns");
        }

        return patterns;
    }

    private static bool TryStorage(string storage, out Collection collection) =>
        CollectionNames.TryParse(storage, out collection) && collection != Collection.Settings;

    private static IResult UnknownStorage(string storage) =>
        NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", $"Unknown storage '{storage}'");
}
