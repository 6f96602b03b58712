using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>One basal schedule segment: from <see cref="Minutes"/> after local midnight, <see cref="Rate"/> U/h.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefBasalEntry")]
public sealed record OrefBasalEntry(
    [property: Id(0), JsonPropertyName("i")] int I,
    [property: Id(1), JsonPropertyName("minutes")] double Minutes,
    [property: Id(2), JsonPropertyName("rate")] double Rate);
