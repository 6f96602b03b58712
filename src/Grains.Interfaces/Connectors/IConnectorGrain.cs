using Nocturne.Grains.Interfaces.Authorization;
using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Connectors;

/// <summary>
/// One site's connector to one vendor cloud, keyed <see cref="ConnectorKinds.Key"/>. It polls on
/// an Orleans reminder, keeps the vendor session and sync cursors, and writes what it fetches
/// through the site's patient grain.
/// </summary>
[Alias("nocturne.IConnectorGrain")]
public interface IConnectorGrain : IGrainWithStringKey
{
    /// <summary>Creates or changes the configuration and (re)starts polling when enabled.</summary>
    [Alias("Configure")]
    Task<ChangeResult<ConnectorStatus>> ConfigureAsync(ConnectorSettings settings);

    [Alias("GetStatus"), ReadOnly]
    Task<ConnectorStatus> GetStatusAsync();

    /// <summary>Logs in to the vendor now, without fetching or storing anything.</summary>
    [Alias("Test")]
    Task<ConnectorTestResult> TestAsync();

    /// <summary>
    /// Runs a sync now (or waits for the one already running) and returns the status after it.
    /// <paramref name="full"/> reads the whole backfill window again instead of the gap only.
    /// </summary>
    [Alias("SyncNow")]
    Task<ConnectorStatus> SyncNowAsync(bool full);

    /// <summary>Stops the reminder and erases the configuration and credentials; stored documents stay.</summary>
    [Alias("Remove")]
    Task<bool> RemoveAsync();
}
