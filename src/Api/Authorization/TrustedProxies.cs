using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Nocturne.Api.Authorization;

/// <summary>
/// <c>TRUSTED_PROXIES</c>: addresses or CIDR ranges of the reverse proxies in front of the server.
/// Only a request whose peer is one of them has its <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>
/// read, so a client cannot pick the address the authentication throttle sees. Unset: never read.
/// </summary>
public static class TrustedProxies
{
    public const string Setting = "TRUSTED_PROXIES";

    public static IApplicationBuilder UseTrustedProxies(this WebApplication app)
    {
        var configured = app.Configuration[Setting];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return app;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Walk back through every trusted hop; stop at the first address that is not one.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in configured.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Contains('/', StringComparison.Ordinal) && System.Net.IPNetwork.TryParse(entry, out var network))
            {
                options.KnownIPNetworks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else
            {
                throw new InvalidOperationException($"{Setting}: '{entry}' is neither an IP address nor a CIDR range");
            }
        }

        return app.UseForwardedHeaders(options);
    }
}
