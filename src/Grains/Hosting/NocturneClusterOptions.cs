using System.Net;

namespace Nocturne.Grains.Hosting;

/// <summary>
/// How a process joins the Orleans cluster. Bound from the "Cluster" configuration
/// section (environment: <c>Cluster__Mode=Redis</c>, <c>Cluster__SiloPort=11112</c>, ...).
/// </summary>
public sealed class NocturneClusterOptions
{
    public const string Section = "Cluster";

    public ClusteringMode Mode { get; set; } = ClusteringMode.Localhost;

    /// <summary>Must stay the same across deployments: it scopes grain state, reminders and membership.</summary>
    public string ServiceId { get; set; } = "nocturne";

    public string ClusterId { get; set; } = "nocturne";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one on (cluster mode).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    internal IPAddress ParsedAdvertisedAddress() =>
        IPAddress.TryParse(AdvertisedAddress, out var address)
            ? address
            : throw new InvalidOperationException($"Cluster:AdvertisedAddress '{AdvertisedAddress}' is not an IP address");
}
