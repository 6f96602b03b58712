using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// One vendor protocol. Sources are stateless: the connector grain keeps the session and
/// cursors and passes them in. Failures are told by exception type: <see cref="VendorSessionExpiredException"/>
/// (log in again once), <see cref="VendorPermanentException"/> (stop polling), <see cref="VendorRateLimitedException"/>
/// (wait as told); anything else is transient and backs off.
/// </summary>
public interface IConnectorSource
{
    string Kind { get; }

    /// <summary>The device name written on every document (<c>device</c>, and <c>enteredBy</c> on treatments).</summary>
    string Device { get; }

    /// <summary>How often the vendor has new data; the default polling period.</summary>
    TimeSpan DataInterval { get; }

    /// <summary>How far back the vendor lets us read; backfill never asks for more.</summary>
    TimeSpan MaxLookBack { get; }

    /// <summary>Collections whose gap is measured from the newest stored document of <see cref="Device"/>.</summary>
    IReadOnlyList<Collection> GapCollections { get; }

    /// <summary>No new reading for this long makes the status say <c>stale</c> (null: the source does not report it).</summary>
    TimeSpan? StaleAfter => null;

    /// <summary>Why these settings cannot work (missing field, unknown region), or null.</summary>
    string? Validate(ConnectorSettings settings);

    Task<VendorSession> LoginAsync(ConnectorContext context, CancellationToken cancellationToken);

    Task<SourceBatch> FetchAsync(ConnectorContext context, VendorSession session, SyncWindow window, CancellationToken cancellationToken);
}
