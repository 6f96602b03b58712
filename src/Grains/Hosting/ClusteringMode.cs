namespace Nocturne.Grains.Hosting;

public enum ClusteringMode
{
    /// <summary>One silo on this machine; no external membership store.</summary>
    Localhost,

    /// <summary>Several silos sharing membership in Redis.</summary>
    Redis,
}
