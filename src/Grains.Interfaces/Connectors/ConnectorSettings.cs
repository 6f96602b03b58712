namespace Nocturne.Grains.Interfaces.Connectors;

/// <summary>
/// What a site's admin configures for one connector. Secrets (password, token) travel here in
/// clear only on the way in: the connector grain encrypts them before anything is stored and
/// never hands them back. A null secret on an update keeps the one already stored.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.ConnectorSettings")]
public sealed record ConnectorSettings(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string? Username,
    [property: Id(2)] string? Password,
    [property: Id(3)] string? Region,
    [property: Id(4)] string? Url,
    [property: Id(5)] string? Token,
    [property: Id(6)] string? PatientId,
    [property: Id(7)] int? IntervalSeconds,
    [property: Id(8)] int? BackfillDays,
    [property: Id(9)] string? TimeZone = null);
