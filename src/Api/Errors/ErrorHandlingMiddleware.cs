using System.Net.Sockets;
using Microsoft.AspNetCore.WebUtilities;
using Nocturne.Api.Health;
using Npgsql;

namespace Nocturne.Api.Errors;

/// <summary>
/// Turns failures into the Nightscout error shape. A database that cannot be reached is a
/// 503 (the client should retry), never a 500 and never a silent success.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, PostgresAvailability availability, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (IsDatabaseOutage(ex) && !context.Response.HasStarted)
        {
            availability.ReportFailure(ex);
            logger.LogWarning("Database unavailable while serving {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, ex.GetBaseException().Message);
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Database unavailable", "Storage is unreachable; nothing was stored. Retry later.");
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

    internal static bool IsDatabaseOutage(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Server-side errors are only an outage when they say the server is going away
                // or refusing connections (SQLSTATE classes 08, 53, 57P); a constraint violation is a bug.
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("57P", StringComparison.Ordinal);
                case NpgsqlException or SocketException:
                    return true;
            }
        }

        return false;
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
