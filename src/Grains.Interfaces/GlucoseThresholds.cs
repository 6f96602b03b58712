namespace Nocturne.Grains.Interfaces;

/// <summary>Glucose alarm and target thresholds, always in mg/dL as Nightscout stores them.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.GlucoseThresholds")]
public sealed record GlucoseThresholds
{
    [Id(0)] public int BgHigh { get; init; } = 260;
    [Id(1)] public int BgTargetTop { get; init; } = 180;
    [Id(2)] public int BgTargetBottom { get; init; } = 80;
    [Id(3)] public int BgLow { get; init; } = 55;
}
