namespace Nocturne.Api.Routing;

/// <summary>
/// The reference strips a format extension from any v1/v2 path before routing and turns it into
/// the matching <c>Accept</c> header (<c>/api/v1/profile/current.json</c> is <c>/profile/current</c>
/// asking for JSON; <c>.js</c> only for status). Doing it once here keeps every route free of
/// <c>.json</c> twins and lets each endpoint pick its format from <c>Accept</c> alone.
/// </summary>
public sealed class FormatExtensionMiddleware(RequestDelegate next)
{
    private static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["json"] = "application/json",
        ["svg"] = "image/svg+xml",
        ["csv"] = "text/csv",
        ["txt"] = "text/plain",
        ["png"] = "image/png",
        ["html"] = "text/html",
        ["tsv"] = "text/tab-separated-values",
    };

    private const string StatusScriptMediaType = "application/javascript";

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if ((path.StartsWithSegments("/api/v1", out var rest) || path.StartsWithSegments("/api/v2", out rest))
            && rest.Value is { } value && value.LastIndexOf('.') is var dot and > 0 && value.LastIndexOf('/') < dot)
        {
            var extension = value[(dot + 1)..];
            var mediaType = MediaTypes.GetValueOrDefault(extension)
                ?? (extension.Equals("js", StringComparison.OrdinalIgnoreCase) && value.StartsWith("/status", StringComparison.OrdinalIgnoreCase) ? StatusScriptMediaType : null);
            if (mediaType is not null)
            {
                context.Request.Path = path.Value![..(path.Value!.Length - extension.Length - 1)];
                context.Request.Headers.Accept = mediaType;
            }
        }

        return next(context);
    }
}
