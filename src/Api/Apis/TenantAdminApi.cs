using Microsoft.Extensions.Options;
using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Api.Tenancy;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>/api/admin/tenants</c>: the hosting operator's API (operator key, never a site's secret).
/// Creating a site returns its API secret once; deleting needs <c>?confirm={id}</c>.
/// </summary>
public static class TenantAdminApi
{
    public static IEndpointRouteBuilder MapTenantAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/tenants").WithTags("Operator").OperatorOnly();
        group.MapGet("/", async (IGrainFactory grains) =>
            TypedResults.Json(await Registry(grains).ListAsync()));

        group.MapPost("/", async (CreateTenantRequest body, IGrainFactory grains, IOptions<TenancyOptions> tenancy, HttpContext http) =>
        {
            if (body.ApiSecret is { Length: < 12 })
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "apiSecret should be at least 12 characters");
            }

            var result = await Registry(grains).CreateAsync(body.Id ?? "", body.DisplayName, body.ApiSecret, body.Settings);
            if (result.Status != ChangeStatus.Done)
            {
                return result.ToV1Error();
            }

            var created = result.Value!;
            return Results.Json(new { site = created.Site, apiSecret = created.ApiSecret, url = SiteUrl(created.Site.Id, tenancy.Value, http) },
                statusCode: StatusCodes.Status201Created);
        });

        group.MapGet("/{id}", async (string id, IGrainFactory grains) =>
            await Registry(grains).GetAsync(id) is { } site ? Results.Json(site) : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found"));

        group.MapPost("/{id}/disable", (string id, IGrainFactory grains) => SetEnabledAsync(id, false, grains));
        group.MapPost("/{id}/enable", (string id, IGrainFactory grains) => SetEnabledAsync(id, true, grains));

        group.MapDelete("/{id}", async (string id, string? confirm, IGrainFactory grains) =>
        {
            if (confirm != id)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request",
                    $"Deleting a site removes all of its data; repeat its id as ?confirm={id}");
            }

            return await Registry(grains).DeleteAsync(id)
                ? Results.Json(new { deleted = id })
                : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
        });
        return app;
    }

    /// <summary>Where a site's clients connect: its subdomain, or the path prefix on this server.</summary>
    public static string SiteUrl(string id, TenancyOptions tenancy, HttpContext? http) =>
        tenancy.MultiTenant
            ? $"https://{id}.{tenancy.BaseDomain!.Trim().TrimStart('.')}/"
            : http is null ? "/" : $"{http.Request.Scheme}://{http.Request.Host}/";

    private static async Task<IResult> SetEnabledAsync(string id, bool enabled, IGrainFactory grains)
    {
        var registry = Registry(grains);
        return await registry.SetEnabledAsync(id, enabled) && await registry.GetAsync(id) is { } site
            ? Results.Json(site)
            : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
    }

    private static ITenantRegistryGrain Registry(IGrainFactory grains) => grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key);
}
