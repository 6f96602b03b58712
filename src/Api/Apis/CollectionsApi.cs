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
/// The v1 document collections other than entries: treatments, devicestatus, profile, food and
/// activity (also under /api/v2). Each follows <see cref="CollectionRoutes"/>; writes go through
/// the patient grain, reads through <see cref="DocumentQueries"/>.
/// </summary>
public static class CollectionsApi
{
    public static IEndpointRouteBuilder MapCollectionsApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api/v1", "/api/v2" })
        {
            foreach (var routes in CollectionRoutes.V1)
            {
                Map(app.MapGroup(prefix).WithTags(routes.Name), routes);
            }

            MapProfileExtras(app.MapGroup(prefix).WithTags("profile"));
            MapFoodExtras(app.MapGroup(prefix).WithTags("food"));
        }

        return app;
    }

    private static void Map(RouteGroupBuilder group, CollectionRoutes routes)
    {
        var path = "/" + routes.Path;
        group.MapGet(path, (HttpContext http, DocumentQueries queries, TimeProvider time) => ListAsync(http, queries, time, routes))
            .RequirePermission(routes.Permission("read"));
        group.MapPost(path, (HttpContext http, IGrainFactory grains) => WriteAsync(http, grains, routes, WriteMode.Create))
            .RequirePermission(routes.Permission("create")).WithBodyLimit(routes.BodyLimit);
        if (routes.SupportsPut)
        {
            group.MapPut(path, (HttpContext http, IGrainFactory grains) => WriteAsync(http, grains, routes, WriteMode.Replace))
                .RequirePermission(routes.Permission("update")).WithBodyLimit(routes.BodyLimit);
        }

        group.MapDelete(path + "/{id}", (string id, HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time) =>
            DeleteAsync(http, grains, queries, time, routes, id)).RequirePermission(routes.Permission("delete"));
        if (routes.DeleteReturnsResult)
        {
            group.MapDelete(path, (HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time) =>
                DeleteAsync(http, grains, queries, time, routes, null)).RequirePermission(routes.Permission("delete"));
        }
    }

    private static async Task<IResult> ListAsync(HttpContext http, DocumentQueries queries, TimeProvider time, CollectionRoutes routes)
    {
        var hasFind = V1Query.HasFind(http.Request.Query);
        var query = V1Query.Parse(routes.Collection, http.Request.Query, hasFind ? routes.DefaultCountWithFind : routes.DefaultCount, time.GetUtcNow(), routes.ImplicitWindow);
        var (json, newest) = await queries.FindV1JsonAsync(http.Site().SiteId, query, http.RequestAborted);
        if (routes.Collection == Collection.Treatments && V1Responses.NotModified(http, newest))
        {
            return V1Responses.NotModifiedResult();
        }

        return V1Responses.Json(json);
    }

    private static async Task<IResult> WriteAsync(HttpContext http, IGrainFactory grains, CollectionRoutes routes, WriteMode mode)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, routes.BodyLimit, http.RequestAborted);
        if (body.Error is not null)
        {
            return body.Error;
        }

        if (mode == WriteMode.Replace && routes.Collection == Collection.Profile
            && (JsonNode.Parse(body.Json!) is not JsonObject profile || !ObjectIds.IsValid(JsonText.Of(profile["_id"]))))
        {
            return NightscoutError.Result(StatusCodes.Status400BadRequest, "Invalid _id format", "PUT /profile needs the profile's 24-character hex _id");
        }

        var outcome = await http.Site().Grains.Documents.WriteDocumentsAsync(routes.Collection, body.Json!, mode);
        if (!outcome.IsDone)
        {
            return outcome.ToV1Error();
        }

        // The reference answers a single PUT object with the object, everything else with the array.
        return mode == WriteMode.Replace && JsonNode.Parse(body.Json!) is JsonObject && JsonNode.Parse(outcome.Value!) is JsonArray { Count: 1 } written
            ? V1Responses.Json(written[0]!.ToJsonString())
            : V1Responses.Json(outcome.Value!);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time, CollectionRoutes routes, string? id)
    {
        if (id is not null && id != "*" && !ObjectIds.IsValid(id))
        {
            return NightscoutError.Result(StatusCodes.Status400BadRequest, "Invalid _id format", $"Must be a 24-character hex string or *. Got: {id}");
        }

        var site = http.Site().SiteId;
        var extra = id is null or "*" ? [] : new[] { new FindCondition("_id", "eq", [id.ToLowerInvariant()], FindValueKind.Text) };
        var window = routes.ImplicitWindow && id is null or "*";
        var query = V1Query.Parse(routes.Collection, http.Request.Query, DocumentQueries.MaxLimit, time.GetUtcNow(), window, extra);
        var ids = await queries.FindIdsAsync(site, query, http.RequestAborted);
        var deleted = await grains.Site(site).Documents.DeleteDocumentsAsync(routes.Collection, ids);
        return routes.DeleteReturnsResult ? Results.Json(new { acknowledged = true, deletedCount = deleted }) : Results.Json(new { });
    }

    private static void MapProfileExtras(RouteGroupBuilder group)
    {
        group.MapGet("/profile/current", async (HttpContext http, DocumentQueries queries) =>
        {
            var newest = await queries.FindAsync(http.Site().SiteId,
                new DocumentQuery(Collection.Profile, [], 1, [("startDate", true)]), http.RequestAborted);
            return newest.Count == 0 ? V1Responses.Json("null") : V1Responses.Json(newest[0].ToV1Json().ToJsonString());
        }).RequirePermission("api:profile:read");

        group.MapGet("/profiles", async (HttpContext http, DocumentQueries queries, TimeProvider time) =>
        {
            var query = V1Query.Parse(Collection.Profile, http.Request.Query, 10, time.GetUtcNow(), implicitWindow: true);
            return V1Responses.Json((await queries.FindV1JsonAsync(http.Site().SiteId, query, http.RequestAborted)).Json);
        }).RequirePermission("api:profile:read");
    }

    private static void MapFoodExtras(RouteGroupBuilder group)
    {
        group.MapGet("/food/quickpicks", async (HttpContext http, DocumentQueries queries) =>
            V1Responses.Json((await queries.FindV1JsonAsync(http.Site().SiteId, new DocumentQuery(Collection.Food,
                [new FindCondition("type", "eq", ["quickpick"], FindValueKind.Text), new FindCondition("hidden", "eq", ["false"], FindValueKind.Text)],
                DocumentQueries.MaxLimit, [("position", false)]), http.RequestAborted)).Json))
            .RequirePermission("api:food:read");

        group.MapGet("/food/regular", async (HttpContext http, DocumentQueries queries) =>
            V1Responses.Json((await queries.FindV1JsonAsync(http.Site().SiteId, new DocumentQuery(Collection.Food,
                [new FindCondition("type", "eq", ["food"], FindValueKind.Text)], DocumentQueries.MaxLimit, []), http.RequestAborted)).Json))
            .RequirePermission("api:food:read");
    }
}
