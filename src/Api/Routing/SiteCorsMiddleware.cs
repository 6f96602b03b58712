using Nocturne.Api.Tenancy;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Routing;

/// <summary>
/// Cross-origin access exactly as the reference grants it: only for a site whose <c>enable</c>
/// list has <c>cors</c>, every response carries its three <c>Access-Control-Allow-*</c> headers and
/// a preflight (<c>OPTIONS</c>) is answered 200 at once. Without <c>cors</c> no header is sent.
/// </summary>
public sealed class SiteCorsMiddleware(RequestDelegate next, IGrainFactory grains, IConfiguration configuration)
{
    public const string Feature = "cors";

    // The reference's CORS_ALLOW_ORIGIN (default *), here for the whole deployment.
    private readonly string _allowOrigin = configuration["CORS_ALLOW_ORIGIN"] is { Length: > 0 } origin ? origin : "*";
    private const string AllowMethods = "GET,PUT,POST,DELETE,OPTIONS";
    private const string AllowHeaders = "Content-Type, Authorization, Content-Length, X-Requested-With";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<SiteFeature>()?.SiteId is not { } site
            || await grains.Site(site).Access.GetSettingsAsync() is not { } settings
            || !settings.Enable.Contains(Feature))
        {
            await next(context);
            return;
        }

        // Set as the response starts: error answers clear the headers written before them.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = _allowOrigin;
            headers.AccessControlAllowMethods = AllowMethods;
            headers.AccessControlAllowHeaders = AllowHeaders;
            return Task.CompletedTask;
        });
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync("OK", context.RequestAborted);
            return;
        }

        await next(context);
    }
}
