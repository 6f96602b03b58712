namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>A loop run over a site's data, or why it could not run (no profile, no readings).</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefLoopOutcome")]
public sealed record OrefLoopOutcome(
    [property: Id(0)] OrefLoopResult? Result,
    [property: Id(1)] string? Problem);
