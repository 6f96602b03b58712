using Microsoft.AspNetCore.WebUtilities;
using Nocturne.Api.Health;
using Nocturne.Grains.Interfaces.Storage;
using Nocturne.Grains.Storage;

namespace Nocturne.Api.Errors;

/// <summary>
/// Turns failures into the Nightscout error shape. A fault (database unreachable, silo lost) is a
/// 503 with <c>Retry-After</c>, so the client retries; a value the database refuses is the
/// client's 400; only our own bugs are 500. A read that met a lost silo is tried once more first.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, PostgresAvailability availability, ILogger<ErrorHandlingMiddleware> logger)
{
    private const string FaultDescription = "The service is briefly unavailable; nothing was stored. Retry later.";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await InvokeWithReadRetryAsync(context);
        }
        catch (Exception ex) when (IsDatabaseOutage(ex) && !context.Response.HasStarted)
        {
            availability.ReportFailure(ex);
            logger.LogWarning("Database unavailable while serving {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, ex.GetBaseException().Message);
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Database unavailable", "Storage is unreachable; nothing was stored. Retry later.");
        }
        catch (Exception ex) when (ClusterFaults.IsTransient(ex) && !context.Response.HasStarted)
        {
            logger.LogWarning("Cluster fault while serving {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, ex.GetBaseException().GetType().Name);
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable", FaultDescription);
        }
        catch (Exception ex) when (RejectedValueMessage(ex) is { } message && !context.Response.HasStarted)
        {
            // The safety net behind validation: PostgreSQL refused a value (SQLSTATE class 22).
            logger.LogWarning("PostgreSQL refused a value on {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, message);
            await WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request", message);
        }
        catch (Documents.V3QueryException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (Documents.V1QueryException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request", ex.Message);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, ex.StatusCode, ReasonFor(ex.StatusCode), ex.Message);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(ex, "Unhandled error serving {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal Server Error");
        }
    }

    // A read changes nothing, so when its grain's silo vanished under it, one more try lands on a
    // live silo (the grain reactivates there) and the client never notices.
    private async Task InvokeWithReadRetryAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }

        var method = context.Request.Method;
        var path = context.Request.Path;
        var pathBase = context.Request.PathBase;
        try
        {
            await next(context);
        }
        catch (Exception ex) when (ClusterFaults.IsTransient(ex) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogInformation("Retrying {Method} {Path} once after a cluster fault ({Error})", context.Request.Method, path, ex.GetBaseException().GetType().Name);
            context.Response.Clear();
            context.Request.Method = method;
            context.Request.Path = path;
            context.Request.PathBase = pathBase;
            await next(context);
        }
    }

    internal static bool IsDatabaseOutage(Exception ex) => StorageFailures.IsOutage(ex);

    private static string? RejectedValueMessage(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is StorageRejectedValueException rejected)
            {
                return rejected.Message;
            }
        }

        return StorageFailures.RejectedValue(ex) is { } pg ? $"The database refused a value: {pg.MessageText}" : null;
    }

    private static string ReasonFor(int status) => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Bad Request";

    internal static async Task WriteAsync(HttpContext context, int status, string message, string? description = null)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        await context.Response.WriteAsJsonAsync(new NightscoutError(status, message, description), NightscoutJson.Options);
    }
}
