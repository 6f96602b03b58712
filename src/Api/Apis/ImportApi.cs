using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Import;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// The operator's site imports, both run in the background by <see cref="SiteImportJobs"/> with their
/// progress in PostgreSQL: <c>POST /api/admin/tenants/{id}/import</c> from a running Nightscout's API
/// (<see cref="NightscoutApiImportSource"/>), <c>POST .../imports</c> from its MongoDB,
/// <c>POST .../imports/file</c> from an export uploaded as the body (<see cref="JsonLinesImportSource"/>), and
/// <c>GET .../imports</c> for the progress of either. A repeat resumes from the saved cursors.
/// </summary>
public static class ImportApi
{
    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder app)
    {
        // A whole site from a running Nightscout's API, in the background like the MongoDB import below.
        app.MapPost("/api/admin/tenants/{id}/import", async (string id, ImportRequest body, IGrainFactory grains, NightscoutApiSources sources, SiteImportJobs jobs,
            ImportProgressStore store, TimeProvider time, HttpContext http) =>
        {
            if (await grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).GetAsync(id) is null)
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
            }

            var settings = new ConnectorSettings(true, null, body.ApiSecret, null, body.Url, body.Token, null, null, null);
            if (sources.Validate(settings) is { } invalid)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", invalid.Replace("password (the API_SECRET", "apiSecret (the API_SECRET", StringComparison.Ordinal));
            }

            if (jobs.IsRunning(id))
            {
                return Running();
            }

            IImportSource source;
            try
            {
                // Logging in now answers a wrong credential or an unreachable source at once, not in the progress.
                source = await sources.OpenAsync(settings, http.RequestAborted);
            }
            catch (Exception ex) when (ex is VendorPermanentException or VendorSessionExpiredException or VendorProtocolException)
            {
                return NightscoutError.Result(StatusCodes.Status422UnprocessableEntity, "Unprocessable Entity", ex.Message);
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException or VendorRateLimitedException)
            {
                http.Response.Headers.RetryAfter = "60";
                return NightscoutError.Result(StatusCodes.Status503ServiceUnavailable, "Service Unavailable", "The source Nightscout could not be reached");
            }

            return await StartAsync(id, source, new SiteImportOptions(null, body.Restart), jobs, store, time);
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
                return Running();
            }

            return await StartAsync(id, source, new SiteImportOptions(body.SourceApiSecret, body.Restart), jobs, store, time);
        }).WithTags("Operator").OperatorOnly();

        // A site's export (the zip of GET .../export) uploaded as the body, spooled to a file and imported in the background.
        app.MapPost("/api/admin/tenants/{id}/imports/file", async (string id, bool? restart, IGrainFactory grains, SiteImportJobs jobs, ImportProgressStore store, TimeProvider time, HttpContext http) =>
        {
            if (await grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).GetAsync(id) is null)
            {
                return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
            }

            if (jobs.IsRunning(id))
            {
                return Running();
            }

            // Years of data: the operator's upload is bounded by the disk, not by Kestrel's default 30 MB.
            if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            var path = Path.Combine(Path.GetTempPath(), $"nocturne-import-{Guid.NewGuid():N}.zip");
            await using (var file = File.Create(path))
            {
                await http.Request.Body.CopyToAsync(file, http.RequestAborted);
            }

            if (JsonLinesImportSource.Open(path, deleteWhenDone: true, out var problem) is not { } source)
            {
                File.Delete(path);
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", problem);
            }

            return await StartAsync(id, source, new SiteImportOptions(null, restart ?? false), jobs, store, time);
        }).WithTags("Operator").OperatorOnly();

        app.MapGet("/api/admin/tenants/{id}/imports", async (string id, ImportProgressStore store, SiteImportJobs jobs, HttpContext http) =>
            await store.LoadAsync(id, http.RequestAborted) is { } progress
                ? Results.Json(progress)
                : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", "No import into this site"))
            .WithTags("Operator").OperatorOnly();
        return app;
    }

    private static IResult Running() => NightscoutError.Result(StatusCodes.Status409Conflict, "Conflict", "An import into this site is running already");

    private static async Task<IResult> StartAsync(string id, IImportSource source, SiteImportOptions options, SiteImportJobs jobs, ImportProgressStore store, TimeProvider time)
    {
        // Recorded before the answer, so that the progress route knows the import from the first poll on.
        await store.BeginAsync(id, source.Description, options.Restart, time.GetUtcNow());
        return jobs.TryStart(id, source, options)
            ? Results.Accepted($"/api/admin/tenants/{id}/imports", new { site = id, source = source.Description, state = ImportState.Running })
            : Running();
    }
}
