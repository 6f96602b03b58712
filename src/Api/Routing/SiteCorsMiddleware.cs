using Nocturne.Api.Tenancy;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Routing;

/// <summary>
/// Cross-origin access exactly as the reference grants it: only for a site whose <c>enable</c>
/// list has <c>cors</c>, every response carries its three <c>Access-Control-Allow-*</c> headers and
/// a preflight (<c>OPTIONS</c>) is answered 200 at once. Without <c>cors</c> no header is sent.
/// </summary>
public sealed partial class SiteCorsMiddleware(RequestDelegate next, IGrainFactory grains, IConfiguration configuration, ILogger<SiteCorsMiddleware> logger)
{
    // The reference's CORS_ALLOW_ORIGIN (default *), here for the whole deployment.
    private readonly string _allowOrigin = configuration["CORS_ALLOW_ORIGIN"] is { Length: > 0 } origin ? origin : "*";
    private const string AllowMethods = "GET,PUT,POST,DELETE,OPTIONS";
    private const string AllowHeaders = "Content-Type, Authorization, Content-Length, X-Requested-With";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<SiteFeature>()?.SiteId is not { } site)
        {
            return next(context);
        }

        if (HttpMethods.IsOptions(context.Request.Method))
        {
            return PreflightAsync(context, site);
        }

        // Set as the response starts: error answers clear the headers written before them. A request
        // the authorization middleware saw carries the site's grant, which says whether cors is on;
        // only others (no route, infrastructure, operator) ask the site's settings.
        context.Response.OnStarting(() => AddHeadersIfEnabledAsync(context, site));
        return next(context);
    }

    private async Task PreflightAsync(HttpContext context, string site)
    {
        if (!await CorsEnabledAsync(site))
        {
            await next(context);
            return;
        }

        context.Response.OnStarting(() =>
        {
            AddHeaders(context.Response.Headers);
            return Task.CompletedTask;
        });
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync("OK", context.RequestAborted);
    }

    private Task AddHeadersIfEnabledAsync(HttpContext context, string site)
    {
        if (context.Features.Get<Authorization.SiteAccess>() is { } access)
        {
            if (access.Grant.Cors)
            {
                AddHeaders(context.Response.Headers);
            }

            return Task.CompletedTask;
        }

        return AskAsync();

        async Task AskAsync()
        {
            // This runs as the answer is sent, outside the error handling, and often the answer is the
            // 503 of the very fault that stops the site's settings from loading: a throw here would
            // turn it into a broken response. Without the settings the answer goes without the headers.
            try
            {
                if (await CorsEnabledAsync(site))
                {
                    AddHeaders(context.Response.Headers);
                }
            }
            catch (Exception ex)
            {
                LogSettingsUnavailable(logger, ex.GetBaseException().GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cross-origin headers left out: the site's settings could not be read ({Error})")]
    private static partial void LogSettingsUnavailable(ILogger logger, string error);

    private async Task<bool> CorsEnabledAsync(string site) =>
        await grains.Site(site).Access.GetSettingsAsync() is { } settings && settings.AllowsCrossOrigin();

    private void AddHeaders(IHeaderDictionary headers)
    {
        headers.AccessControlAllowOrigin = _allowOrigin;
        headers.AccessControlAllowMethods = AllowMethods;
        headers.AccessControlAllowHeaders = AllowHeaders;
    }
}
