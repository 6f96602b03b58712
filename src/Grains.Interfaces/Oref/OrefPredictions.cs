using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>oref0's 5-minute BG predictions (mg/dL): on insulin alone, zero temp, carbs, unannounced meal.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefPredictions")]
public sealed record OrefPredictions(
    [property: Id(0), JsonPropertyName("IOB")] IReadOnlyList<double> Iob,
    [property: Id(1), JsonPropertyName("ZT")] IReadOnlyList<double> ZeroTemp,
    [property: Id(2), JsonPropertyName("COB")] IReadOnlyList<double>? Cob = null,
    [property: Id(3), JsonPropertyName("UAM")] IReadOnlyList<double>? Uam = null);
