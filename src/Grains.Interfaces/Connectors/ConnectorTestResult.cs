namespace Nocturne.Grains.Interfaces.Connectors;

/// <summary>What the vendor answered to a login attempt made on request.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.ConnectorTestResult")]
public sealed record ConnectorTestResult(
    [property: Id(0)] bool Ok,
    [property: Id(1)] string Message,
    [property: Id(2)] bool Permanent);
