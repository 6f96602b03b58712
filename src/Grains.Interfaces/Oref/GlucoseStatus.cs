using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>oref0's glucose status: the latest reading and its 5, 15 and 45 minute average deltas.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.GlucoseStatus")]
public sealed record GlucoseStatus(
    [property: Id(0), JsonPropertyName("delta")] double Delta,
    [property: Id(1), JsonPropertyName("glucose")] double Glucose,
    [property: Id(2), JsonPropertyName("noise")] double? Noise,
    [property: Id(3), JsonPropertyName("short_avgdelta")] double ShortAvgDelta,
    [property: Id(4), JsonPropertyName("long_avgdelta")] double LongAvgDelta,
    [property: Id(5), JsonPropertyName("date")] double Date,
    [property: Id(6), JsonPropertyName("last_cal")] double LastCal,
    [property: Id(7), JsonPropertyName("device")] string? Device);
