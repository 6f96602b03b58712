using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;

namespace Nocturne.Api.WebApp;

/// <summary>
/// The web app at a site's root (<c>/</c> of its host, or <c>/t/{site}/</c>): the chart page, the
/// report page, a clinic's board and their assets. The pages hold no data: they call the site's API with the
/// credentials the user signs in with, so serving them needs no permission.
/// </summary>
public static class WebAppApi
{
    // The pages load only their own scripts and talk only to their own site (HTTP and WebSocket).
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static IEndpointRouteBuilder MapWebApp(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http, WebAppFiles files) => Page(http, files, "index.html")).WithTags("Web app").ExcludeFromDescription().PublicOnSite();
        app.MapGet("/report", (HttpContext http, WebAppFiles files) => Page(http, files, "report.html")).WithTags("Web app").ExcludeFromDescription().PublicOnSite();
        app.MapGet("/clinic", (HttpContext http, WebAppFiles files) => Page(http, files, "clinic.html")).WithTags("Web app").ExcludeFromDescription().PublicOnSite();
        app.MapGet("/app/{file}", (string file, HttpContext http, WebAppFiles files) => Asset(http, files, file)).WithTags("Web app").ExcludeFromDescription().PublicOnSite();
        return app;
    }

    private static IResult Page(HttpContext http, WebAppFiles files, string name)
    {
        // Under /t/{site} the page's relative links need the trailing slash.
        if (name == "index.html" && http.Request.Path.Value is null or "")
        {
            return TypedResults.Redirect(http.Request.PathBase + "/" + http.Request.QueryString);
        }

        if (files.Find(name) is not { } page)
        {
            return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", "The web app is not built on this server (deploy/local/up.sh builds it).");
        }

        SecurityHeaders(http.Response);
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.PhysicalFile(page.Path, page.ContentType);
    }

    private static IResult Asset(HttpContext http, WebAppFiles files, string name)
    {
        if (files.Find(name) is not { } asset)
        {
            return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
        }

        SecurityHeaders(http.Response);
        // Not fingerprinted: revalidate (cheap with the ETag) so an upgrade reaches every browser.
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.PhysicalFile(asset.Path, asset.ContentType);
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
