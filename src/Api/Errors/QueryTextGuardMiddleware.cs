using Nocturne.Api.Documents;

namespace Nocturne.Api.Errors;

/// <summary>
/// Refuses a path or query string holding text PostgreSQL cannot compare (<c>%00</c>, half a
/// surrogate pair) with 400 before any route sees it: every filter, id and type in the URL reaches
/// SQL as a parameter, and one such character there is a database error, not an empty answer.
/// </summary>
public sealed class QueryTextGuardMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (Problem(context.Request) is { } problem)
        {
            return ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request", problem);
        }

        return next(context);
    }

    private static string? Problem(HttpRequest request)
    {
        if (request.Path.Value is { } path && StorableText.Problem(path) is { } pathProblem)
        {
            return $"The path {pathProblem}";
        }

        foreach (var (key, values) in request.Query)
        {
            if (StorableText.Problem(key) is { } keyProblem)
            {
                return $"A query parameter name {keyProblem}";
            }

            foreach (var value in values)
            {
                if (value is not null && StorableText.Problem(value) is { } valueProblem)
                {
                    return $"Query parameter {key} {valueProblem}";
                }
            }
        }

        return null;
    }
}
