namespace Nocturne.Grains.Interfaces.Connectors;

/// <summary>The words a connector's status uses for its health (also counted in the operator overview).</summary>
public static class ConnectorHealth
{
    /// <summary>Nothing configured.</summary>
    public const string Unconfigured = "unconfigured";

    /// <summary>Configured but switched off by the site's admin.</summary>
    public const string Disabled = "disabled";

    /// <summary>Configured, waiting for its first sync.</summary>
    public const string Pending = "pending";

    /// <summary>The last sync succeeded.</summary>
    public const string Healthy = "healthy";

    /// <summary>The last sync failed for a reason that may pass (network, vendor outage, rate limit): it backs off and retries.</summary>
    public const string Failing = "failing";

    /// <summary>The vendor refused for a reason only the user can fix (password, terms, locked account): no polling until reconfigured.</summary>
    public const string Paused = "paused";
}
