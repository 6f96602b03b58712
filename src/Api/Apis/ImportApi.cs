using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>POST /api/admin/tenants/{id}/import</c>: the operator copies a whole running Nightscout site into
/// one of ours (see <see cref="NightscoutImport"/>). The answer counts, per collection, the distinct
/// documents the source gave and how many were new here; running it again imports nothing twice.
/// </summary>
public static class ImportApi
{
    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/tenants/{id}/import", async (string id, ImportRequest body, IGrainFactory grains, NightscoutImport import, HttpContext http) =>
        {
            if (await grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).GetAsync(id) is null)
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
            }

            var settings = new ConnectorSettings(true, null, body.ApiSecret, null, body.Url, body.Token, null, null, null);
            if (import.Validate(settings) is { } invalid)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", invalid.Replace("password (the API_SECRET", "apiSecret (the API_SECRET", StringComparison.Ordinal));
            }

            try
            {
                var result = await import.ImportAsync(id, settings, http.RequestAborted);
                return Results.Json(new { site = id, api = result.Api, collections = result.Collections });
            }
            catch (Exception ex) when (ex is VendorPermanentException or VendorSessionExpiredException or VendorProtocolException)
            {
                // What was imported before the refusal stays; a corrected repeat resumes.
                return NightscoutError.Result(StatusCodes.Status422UnprocessableEntity, "Unprocessable Entity", ex.Message);
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException or VendorRateLimitedException)
            {
                http.Response.Headers.RetryAfter = "60";
                return NightscoutError.Result(StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                    "The source Nightscout could not be reached; what was imported is kept and a repeat resumes");
            }
        }).WithTags("Operator").OperatorOnly();
        return app;
    }
}
