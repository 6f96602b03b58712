namespace Nocturne.Api.Observability;

/// <summary>
/// What a log line may say about where a request went: the matched route's pattern, never the raw
/// path, since Nightscout clients put tokens in paths (the JWT exchange) as well as in queries.
/// </summary>
public static class LoggedRoute
{
    public static string Of(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
}
