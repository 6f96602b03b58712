namespace Nocturne.Api.Hosting;

public static class KestrelConfiguration
{
    /// <summary>
    /// Listens where Nightscout would: <c>PORT</c> (default 1337) on <c>HOSTNAME</c>'s address.
    /// Defaults to loopback; a deployment behind a proxy sets LISTEN_ADDRESS=0.0.0.0.
    /// ASPNETCORE_URLS, when given, wins.
    /// </summary>
    public static WebApplicationBuilder ConfigureNocturneKestrel(this WebApplicationBuilder builder)
    {
        // The largest body any route takes; each route lowers it (Routing.RequestBodyLimit).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = Documents.RequestBody.LargeLimit);
        if (!string.IsNullOrEmpty(builder.Configuration["urls"]) || !string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            return builder;
        }

        var port = builder.Configuration.GetValue("PORT", 1337);
        var address = builder.Configuration["LISTEN_ADDRESS"] is { Length: > 0 } a ? a : "127.0.0.1";
        builder.WebHost.UseUrls($"http://{address}:{port}");
        return builder;
    }
}
