namespace Nocturne.Grains.Connectors;

/// <summary>The <c>Connectors</c> configuration section: polling bounds, HTTP resilience and vendor hosts.</summary>
public sealed class ConnectorOptions
{
    public const string Section = "Connectors";

    /// <summary>The shortest polling period a site may configure; also lowers Orleans' minimum reminder period when below a minute.</summary>
    public int MinimumIntervalSeconds { get; set; } = 60;

    public ConnectorHttpOptions Http { get; set; } = new();

    /// <summary>Overrides of vendor base URLs by source kind and region (for example a test's fake server).</summary>
    public Dictionary<string, Dictionary<string, string>> Servers { get; set; } = [];

    /// <summary>Whether a Nightscout source may point at loopback or private addresses (off: a site's admin must not reach our internal network).</summary>
    public bool AllowPrivateNightscoutUrls { get; set; }

    /// <summary>Documents per request when importing from a running Nightscout (at most 1000, the v3 API's limit).</summary>
    public int ImportPageSize { get; set; } = 1000;

    public string? Server(string kind, string region) =>
        Servers.TryGetValue(kind, out var byRegion) && byRegion.TryGetValue(region, out var url) ? url : null;

    /// <summary>A vendor host's base address for a region: the configured override, else the vendor's own; always ending in '/'.</summary>
    public Uri BaseUri(string kind, string region, string vendorUrl)
    {
        var url = Server(kind, region) ?? vendorUrl;
        return new Uri(url.EndsWith('/') ? url : url + "/");
    }
}
