using System.Diagnostics;

namespace Nocturne.Api.Observability;

/// <summary>
/// Spans name the route, never the request's own path or query: Nightscout clients send access
/// tokens in both (<c>/api/v2/authorization/request/{token}</c>, <c>?token=</c>, <c>?secret=</c>).
/// </summary>
public static class TraceRedaction
{
    public static void Apply(Activity activity, HttpResponse response)
    {
        var route = (response.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        activity.SetTag("url.path", route);
        activity.SetTag("url.query", null);
        activity.SetTag("url.full", null);
    }
}
