using Microsoft.AspNetCore.Http.Features;

namespace Nocturne.Api.Routing;

/// <summary>
/// Answers <c>HEAD</c> on every GET route as GET without a body (uptime monitors use it): routing
/// sees a GET, and once the endpoint is chosen the method is HEAD again, so that the server frames
/// the response as a HEAD answer; whatever the endpoint writes is thrown away.
/// </summary>
public static class HeadAsGet
{
    private sealed record ArrivedAsHead;

    public static Task BeforeRouting(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Request.Method = HttpMethods.Get;
            context.Features.Set(new ArrivedAsHead());
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, context.Features.Get<IHttpResponseBodyFeature>()!));
        }

        return next(context);
    }

    public static Task AfterRouting(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<ArrivedAsHead>() is not null)
        {
            context.Request.Method = HttpMethods.Head;
        }

        return next(context);
    }
}
