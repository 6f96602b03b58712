using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Api.Authorization;

namespace Nocturne.Tests.Infrastructure;

/// <summary>One route of the server's endpoint table with one of its methods.</summary>
public sealed record RouteSample(string Pattern, string Method, EndpointAccess? Access);

/// <summary>
/// Every route the server has, read from its endpoint table so that new routes join the sweeps on
/// their own, and a concrete path for each pattern.
/// </summary>
public static class RouteCatalog
{
    public static List<RouteSample> Of(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new RouteSample("/" + e.RoutePattern.RawText!.TrimStart('/'), m, e.Metadata.GetMetadata<EndpointAccess>())))
            .ToList();

    // Sample values for route parameters; access checks and faults come before the handler looks at them.
    public static string Concrete(string pattern) => System.Text.RegularExpressions.Regex.Replace(pattern, @"/\{[A-Za-z]+\?\}", "")
        .Replace("{format}", "json", StringComparison.Ordinal)
        .Replace("{storage}", "entries", StringComparison.Ordinal)
        .Replace("{echo}", "entries", StringComparison.Ordinal)
        .Replace("{field}", "dateString", StringComparison.Ordinal)
        .Replace("{spec}", "sgv", StringComparison.Ordinal)
        .Replace("{names}", "bgnow", StringComparison.Ordinal)
        .Replace("{identifier}", "0123456789abcdef01234567", StringComparison.Ordinal)
        .Replace("{lastModified}", "0", StringComparison.Ordinal)
        .Replace("{**rest}", "nothing", StringComparison.Ordinal)
        .Replace("{accessToken}", "someone-0123456789abcdef", StringComparison.Ordinal)
        .Replace("{permission}", "api:entries:read", StringComparison.Ordinal)
        .Replace("{documentName}", "v1", StringComparison.Ordinal)
        .Replace("{kind}", "dexcom", StringComparison.Ordinal)
        .Replace("{patient}", "some-patient", StringComparison.Ordinal)
        .Replace("{clinic}", "some-clinic", StringComparison.Ordinal)
        .Replace("{file}", "app.js", StringComparison.Ordinal)
        .Replace("{id}", "0123456789abcdef01234567", StringComparison.Ordinal)
        .Replace("{time}", "1700000000000", StringComparison.Ordinal);
}
