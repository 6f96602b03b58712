using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Nocturne.Api.Authorization;
using Nocturne.Api.Configuration;
using Nocturne.Api.Documents;
using Nocturne.Api.Errors;
using Nocturne.Api.Routing;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// API v3 (lib/api3 of the reference): search, create with dedup, read, PUT, PATCH, soft and
/// permanent DELETE, history (soft deletions included) and lastModified, for devicestatus,
/// entries, food, profile, settings and treatments. Bearer JWT only.
/// </summary>
public static class V3Api
{
    public static readonly string[] Collections = ["devicestatus", "entries", "food", "profile", "settings", "treatments"];

    public static IEndpointRouteBuilder MapV3Api(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v3").WithTags("API v3").WithBodyLimit(RequestBody.LargeLimit);
        group.MapGet("/status", StatusAsync).RequirePermission("api:status:read");
        group.MapGet("/lastModified", LastModifiedAsync).RequirePermission("api:status:read");

        foreach (var name in Collections)
        {
            if (!CollectionNames.TryParse(name, out var collection))
            {
                throw new InvalidOperationException($"No collection {name}");
            }

            string Permission(string action) => name == "settings" ? "api:settings:admin" : $"api:{name}:{action}";

            group.MapGet($"/{name}", (HttpContext http, DocumentQueries queries) => SearchAsync(http, queries, collection, null)).RequirePermission(Permission("read"));
            group.MapGet($"/{name}.{{format}}", (string format, HttpContext http, DocumentQueries queries) => SearchAsync(http, queries, collection, format)).RequirePermission(Permission("read"));
            group.MapPost($"/{name}", (Delegate)((HttpContext http) => CreateAsync(http, collection))).RequirePermission(Permission("create"));
            group.MapGet($"/{name}/history", (HttpContext http, DocumentQueries queries) => HistoryAsync(http, queries, collection, null)).RequirePermission(Permission("read"));
            group.MapGet($"/{name}/history/{{lastModified}}", (string lastModified, HttpContext http, DocumentQueries queries) =>
                HistoryAsync(http, queries, collection, lastModified)).RequirePermission(Permission("read"));
            group.MapGet($"/{name}/{{identifier}}", (string identifier, HttpContext http, DocumentStore store) => ReadAsync(http, store, collection, identifier))
                .RequirePermission(Permission("read"));
            group.MapPut($"/{name}/{{identifier}}", (string identifier, HttpContext http) => ReplaceAsync(http, collection, identifier))
                .RequirePermission(Permission("update"));
            group.MapPatch($"/{name}/{{identifier}}", (string identifier, HttpContext http) => PatchAsync(http, collection, identifier))
                .RequirePermission(Permission("update"));
            group.MapDelete($"/{name}/{{identifier}}", (string identifier, HttpContext http) => DeleteAsync(http, collection, identifier))
                .RequirePermission(Permission("delete"));
        }

        // Anything else under /api/v3 is the reference's "Bad operation or collection".
        group.MapMethods("/{**rest}", ["GET", "POST", "PUT", "PATCH", "DELETE"], () => V3Output.Status(404, "Bad operation or collection")).PublicOnSite();
        return app;
    }

    private static async Task<IResult> StatusAsync(HttpContext http, Grains.Storage.PostgresConnection postgres, TimeProvider time)
    {
        await using var command = postgres.DataSource.CreateCommand("SHOW server_version");
        var site = http.Site();
        var permissions = new JsonObject();
        foreach (var name in Collections)
        {
            // Per collection, fixing the reference, which checks api:undefined:<op>.
            var letters = string.Concat(new[] { ("c", "create"), ("r", "read"), ("u", "update"), ("d", "delete") }
                .Where(p => site.Can(name == "settings" ? "api:settings:admin" : $"api:{name}:{p.Item2}")).Select(p => p.Item1));
            permissions[name] = letters;
        }

        return V3Output.Envelope(new JsonObject
        {
            ["version"] = NightscoutCompatibility.Version,
            ["apiVersion"] = NightscoutCompatibility.ApiV3Version,
            ["srvDate"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["storage"] = new JsonObject { ["storage"] = "postgresql", ["version"] = (string?)await command.ExecuteScalarAsync(http.RequestAborted) },
            ["apiPermissions"] = permissions,
        }, "json");
    }

    private static async Task<IResult> LastModifiedAsync(HttpContext http, TimeProvider time)
    {
        var site = http.Site();
        var all = await site.Grains.Documents.GetLastModifiedAsync();
        var collections = new JsonObject();
        foreach (var (name, value) in all.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (Collections.Contains(name) && site.Can(name == "settings" ? "api:settings:admin" : $"api:{name}:read"))
            {
                collections[name] = value;
            }
        }

        return V3Output.Envelope(new JsonObject { ["srvDate"] = time.GetUtcNow().ToUnixTimeMilliseconds(), ["collections"] = collections }, "json");
    }

    private static async Task<IResult> SearchAsync(HttpContext http, DocumentQueries queries, Collection collection, string? extension)
    {
        if (V3Output.Negotiate(http.Request, extension) is not { } format)
        {
            return V3Output.Status(406, "Unsupported output format requested");
        }

        var query = V3Query.Parse(collection, http.Request.Query);
        var documents = await queries.FindAsync(http.Site().SiteId, query, http.RequestAborted);
        var fields = http.Request.Query["fields"].ToString();
        if (documents.Count == query.Limit)
        {
            var next = QueryString.Create(http.Request.Query.Where(q => q.Key != "skip").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new("skip", (query.Skip + query.Limit).ToString(CultureInfo.InvariantCulture))));
            http.Response.Headers[HeaderNames.Link] = $"<{http.Request.PathBase}{http.Request.Path}{next}>; rel=\"next\"";
        }

        return V3Output.Envelope(new JsonArray(documents.Select(d => (JsonNode)V3Output.Project(V3Rules.V3Json(d), fields)).ToArray()), format);
    }

    private static async Task<IResult> HistoryAsync(HttpContext http, DocumentQueries queries, Collection collection, string? lastModified)
    {
        var extension = lastModified is not null && V3Output.SplitFormat(lastModified) is var (value, ext) && ext != "json" ? ext : null;
        if (extension is not null)
        {
            lastModified = V3Output.SplitFormat(lastModified!).Value;
        }

        if (V3Output.Negotiate(http.Request, extension) is not { } format)
        {
            return V3Output.Status(406, "Unsupported output format requested");
        }

        FindCondition since;
        if (lastModified is not null)
        {
            since = new FindCondition("srvModified", "gt", [V3Query.TimeValue("lastModified", lastModified)], FindValueKind.Number);
        }
        else if (http.Request.Headers.LastModified.ToString() is { Length: > 0 } raw
            && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            // Clients that keep srvModified send it as is (epoch ms, or s): read it exactly.
            since = new FindCondition("srvModified", "gte", [V3Query.TimeValue("lastModified", raw)], FindValueKind.Number);
        }
        else if (http.Request.GetTypedHeaders().LastModified is { } header)
        {
            since = new FindCondition("srvModified", "gte", [header.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)], FindValueKind.Number);
        }
        else
        {
            return V3Output.Status(400, "Bad or missing Last-Modified header/parameter");
        }

        var limit = V3Query.Parse(collection, new QueryCollection(http.Request.Query.Where(q => q.Key is "limit").ToDictionary())).Limit;
        var query = new DocumentQuery(collection, [since], limit, [("srvModified", false)], IncludeDeleted: true);
        var fields = http.Request.Query["fields"].ToString();
        if (format == "json" && (string.IsNullOrWhiteSpace(fields) || fields == "_all"))
        {
            // What sync clients ask for, page after page: written from the stored text.
            var (json, count, newestModified) = await queries.FindV3JsonAsync(http.Site().SiteId, query, http.RequestAborted);
            return HistoryPage(http, collection, format, limit, count, newestModified) ?? V1Responses.Json(json);
        }

        var documents = await queries.FindAsync(http.Site().SiteId, query, http.RequestAborted);
        return HistoryPage(http, collection, format, limit, documents.Count, documents.Count == 0 ? null : documents.Max(d => d.SrvModified))
            ?? V3Output.Envelope(new JsonArray(documents.Select(d => (JsonNode)V3Output.Project(V3Rules.V3Json(d), fields)).ToArray()), format);
    }

    // A history page's headers; the reply itself when it is not the documents (none, or not modified).
    private static IResult? HistoryPage(HttpContext http, Collection collection, string format, int limit, int count, long? newestModified)
    {
        if (newestModified is not { } newest)
        {
            return V3Output.Envelope(new JsonArray(), format);
        }

        V3Output.SetLastModified(http.Response, newest);
        if (http.Request.Headers.IfNoneMatch.ToString() == $"W/\"{newest}\"")
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        if (count == limit)
        {
            http.Response.Headers[HeaderNames.Link] = $"<{http.Request.PathBase}/api/v3/{CollectionNames.Of(collection)}/history/{newest}?limit={limit}>; rel=\"next\"";
        }

        return null;
    }

    private static async Task<IResult> ReadAsync(HttpContext http, DocumentStore store, Collection collection, string identifier)
    {
        var (id, extension) = V3Output.SplitFormat(identifier);
        if (V3Output.Negotiate(http.Request, identifier.Contains('.', StringComparison.Ordinal) && extension != "json" ? extension : null) is not { } format)
        {
            return V3Output.Status(406, "Unsupported output format requested");
        }

        var document = await store.FindForV3Async(collection, http.Site().SiteId, id, null, http.RequestAborted);
        if (document is null)
        {
            return V3Output.Status(404);
        }

        if (!document.IsValid)
        {
            return V3Output.Status(410);
        }

        V3Output.SetLastModified(http.Response, document.SrvModified);
        var since = http.Request.GetTypedHeaders().IfModifiedSince;
        if ((since is { } s && s.ToUnixTimeSeconds() >= document.SrvModified / 1000)
            || http.Request.Headers.IfNoneMatch.ToString() == $"W/\"{document.SrvModified}\"")
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return V3Output.Envelope(V3Output.Project(V3Rules.V3Json(document), http.Request.Query["fields"].ToString()), format);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Collection collection)
    {
        var (body, bodyError) = await ReadBodyAsync(http);
        if (body is null)
        {
            return bodyError!;
        }

        var result = await http.Site().Grains.Documents.V3CreateAsync(collection, body, Caller(http, collection));
        if (result.Value is not { } written)
        {
            return result.ToV3Error();
        }

        http.Response.Headers[HeaderNames.Location] = $"{http.Request.PathBase}/api/v3/{CollectionNames.Of(collection)}/{written.Identifier}";
        http.Response.Headers[HeaderNames.LastModified] = V3Output.HttpDate(written.LastModified!.Value);
        var status = written.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        var reply = new JsonObject { ["status"] = status, ["identifier"] = written.Identifier, ["lastModified"] = written.LastModified };
        if (written.IsDeduplication)
        {
            reply["isDeduplication"] = true;
            if (written.DeduplicatedIdentifier is not null)
            {
                reply["deduplicatedIdentifier"] = written.DeduplicatedIdentifier;
            }
        }

        return V3Output.Reply(reply, status);
    }

    private static async Task<IResult> ReplaceAsync(HttpContext http, Collection collection, string identifier)
    {
        var (body, bodyError) = await ReadBodyAsync(http);
        if (body is null)
        {
            return bodyError!;
        }

        var result = await http.Site().Grains.Documents.V3ReplaceAsync(collection, identifier, body, Caller(http, collection), UnmodifiedSince(http));
        if (result.Value is not { } written)
        {
            return result.ToV3Error();
        }

        http.Response.Headers[HeaderNames.LastModified] = V3Output.HttpDate(written.LastModified!.Value);
        if (written.Created)
        {
            // The reference doubles the id here; the right Location names the document once.
            http.Response.Headers[HeaderNames.Location] = $"{http.Request.PathBase}/api/v3/{CollectionNames.Of(collection)}/{written.Identifier}";
        }

        var status = written.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        return V3Output.Reply(new JsonObject { ["status"] = status, ["identifier"] = written.Identifier, ["lastModified"] = written.LastModified }, status);
    }

    private static async Task<IResult> PatchAsync(HttpContext http, Collection collection, string identifier)
    {
        var (body, bodyError) = await ReadBodyAsync(http);
        if (body is null)
        {
            return bodyError!;
        }

        var result = await http.Site().Grains.Documents.V3PatchAsync(collection, identifier, body, Caller(http, collection), UnmodifiedSince(http));
        if (result.Value is not { } written)
        {
            return result.ToV3Error();
        }

        http.Response.Headers[HeaderNames.LastModified] = V3Output.HttpDate(written.LastModified!.Value);
        return V3Output.Status(200);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, Collection collection, string identifier)
    {
        var permanent = http.Request.Query["permanent"].ToString() == "true";
        var result = await http.Site().Grains.Documents.V3DeleteAsync(collection, identifier, permanent, http.Site().Grant.Subject);
        return result.IsDone ? V3Output.Status(200) : result.ToV3Error();
    }

    private static V3Caller Caller(HttpContext http, Collection collection)
    {
        var site = http.Site();
        var name = CollectionNames.Of(collection);
        return name == "settings"
            ? new V3Caller(site.Grant.Subject, site.Can("api:settings:admin"), site.Can("api:settings:admin"))
            : new V3Caller(site.Grant.Subject, site.Can($"api:{name}:create"), site.Can($"api:{name}:update"));
    }

    private static long? UnmodifiedSince(HttpContext http) => http.Request.GetTypedHeaders().IfUnmodifiedSince?.ToUnixTimeMilliseconds();

    private static async Task<(string? Json, IResult? Error)> ReadBodyAsync(HttpContext http)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.LargeLimit, http.RequestAborted);
        return body.Json is not null ? (body.Json, null)
            : body.TooLarge ? (null, body.Error)
            : (null, V3Output.Status(400, "Bad or missing request body"));
    }
}
