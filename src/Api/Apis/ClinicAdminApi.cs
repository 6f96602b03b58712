using Microsoft.Extensions.Options;
using Nocturne.Api.Authorization;
using Nocturne.Api.Clinics;
using Nocturne.Api.Errors;
using Nocturne.Api.Tenancy;
using Nocturne.Grains.Clinics;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>/api/admin/clinics</c> (operator key): a clinic is created as a site of its own kind, with an
/// API secret for its first admin, who then adds staff as subjects with roles.
/// </summary>
public static class ClinicAdminApi
{
    public static IEndpointRouteBuilder MapClinicAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/clinics").WithTags("Operator").OperatorOnly();

        group.MapGet("/", async (ClinicStore store, CancellationToken cancellationToken) => TypedResults.Json(await store.ClinicsAsync(cancellationToken)));

        group.MapPost("/", async (CreateTenantRequest body, IGrainFactory grains, IOptions<TenancyOptions> tenancy, HttpContext http) =>
        {
            if (body.ApiSecret is { Length: < 12 })
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "apiSecret should be at least 12 characters");
            }

            var result = await grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).CreateAsync(body.Id ?? "", body.DisplayName, body.ApiSecret, body.Settings);
            if (!result.IsDone)
            {
                return result.ToV1Error();
            }

            var created = result.Value!;
            await grains.Site(created.Site.Id).Access.MarkClinicAsync();
            return Results.Json(new { site = created.Site, apiSecret = created.ApiSecret, kind = "clinic", url = TenantAdminApi.SiteUrl(created.Site.Id, tenancy.Value, http) },
                statusCode: StatusCodes.Status201Created);
        });

        return app;
    }
}
