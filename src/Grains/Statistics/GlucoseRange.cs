namespace Nocturne.Grains.Statistics;

public enum GlucoseRange
{
    VeryLow,
    Low,
    InRange,
    High,
    VeryHigh,
}
