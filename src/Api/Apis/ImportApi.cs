using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Import;
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

        // A whole site from its MongoDB, in the background: 202 now, progress from the GET below.
        app.MapPost("/api/admin/tenants/{id}/imports", async (string id, SiteImportRequest body, IGrainFactory grains, SiteImportJobs jobs, ImportProgressStore store, TimeProvider time) =>
        {
            if (await grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).GetAsync(id) is null)
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
            }

            if (MongoSources.Open(body.MongoUrl, body.Database, out var problem) is not { } source)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", problem);
            }

            if (jobs.IsRunning(id))
            {
                await source.DisposeAsync();
                return NightscoutError.Result(StatusCodes.Status409Conflict, "Conflict", "An import into this site is running already");
            }

            // Recorded before the answer, so that the progress route knows the import from the first poll on.
            await store.BeginAsync(id, source.Description, body.Restart, time.GetUtcNow());
            return jobs.TryStart(id, source, new SiteImportOptions(body.SourceApiSecret, body.Restart))
                ? Results.Accepted($"/api/admin/tenants/{id}/imports", new { site = id, source = source.Description, state = ImportState.Running })
                : NightscoutError.Result(StatusCodes.Status409Conflict, "Conflict", "An import into this site is running already");
        }).WithTags("Operator").OperatorOnly();

        app.MapGet("/api/admin/tenants/{id}/imports", async (string id, ImportProgressStore store, SiteImportJobs jobs, HttpContext http) =>
            await store.LoadAsync(id, http.RequestAborted) is { } progress
                ? Results.Json(progress)
                : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", "No import into this site"))
            .WithTags("Operator").OperatorOnly();
        return app;
    }
}
