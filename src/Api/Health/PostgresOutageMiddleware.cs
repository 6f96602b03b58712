using Nocturne.Api.Errors;

namespace Nocturne.Api.Health;

/// <summary>
/// While PostgreSQL is known to be down, API calls are answered 503 at once: nothing can be
/// stored durably, so accepting an upload would lose it.
/// </summary>
public sealed class PostgresOutageMiddleware(RequestDelegate next, PostgresAvailability availability)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!availability.IsAvailable && context.Request.Path.StartsWithSegments("/api"))
        {
            return ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Database unavailable",
                "Storage is unreachable; nothing was stored. Retry later.");
        }

        return next(context);
    }
}
