namespace Nocturne.Grains.Interfaces.Connectors;

/// <summary>
/// A connector's live state as the API shows it: never a secret, only whether one is stored
/// and a masked hint of the account name.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.ConnectorStatus")]
public sealed record ConnectorStatus(
    [property: Id(0)] string Kind,
    [property: Id(1)] bool Configured,
    [property: Id(2)] bool Enabled,
    [property: Id(3)] string Health,
    [property: Id(4)] string? Account,
    [property: Id(5)] string? Region,
    [property: Id(6)] string? Url,
    [property: Id(7)] string? PatientId,
    [property: Id(8)] int IntervalSeconds,
    [property: Id(9)] int BackfillDays,
    [property: Id(10)] DateTimeOffset? LastSyncAt,
    [property: Id(11)] DateTimeOffset? LastSuccessAt,
    [property: Id(12)] ConnectorError? LastError,
    [property: Id(13)] DateTimeOffset? NextPollAt,
    [property: Id(14)] DateTimeOffset? BackoffUntil,
    [property: Id(15)] int ConsecutiveFailures,
    [property: Id(16)] IReadOnlyDictionary<string, long> Written,
    [property: Id(17)] long Syncs,
    [property: Id(18)] long VendorRequests,
    [property: Id(19)] IReadOnlyDictionary<string, long> Cursors,
    [property: Id(20)] string? TimeZone = null,
    [property: Id(21)] DateTimeOffset? NewestReadingAt = null,
    [property: Id(22)] bool Stale = false);

/// <summary>The last failure: what the vendor (or the network) said, when, and whether polling stopped for it.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.ConnectorError")]
public sealed record ConnectorError(
    [property: Id(0)] string Message,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] bool Permanent);
