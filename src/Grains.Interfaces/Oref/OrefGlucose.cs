using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>A CGM reading as oref0 reads a Nightscout entry.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefGlucose")]
public sealed record OrefGlucose(
    [property: Id(0), JsonPropertyName("sgv")] double Sgv,
    [property: Id(1), JsonPropertyName("date")] long Date,
    [property: Id(2), JsonPropertyName("dateString")] string DateString,
    [property: Id(3), JsonPropertyName("device")] string? Device = null,
    [property: Id(4), JsonPropertyName("noise")] double? Noise = null,
    [property: Id(5), JsonPropertyName("type")] string Type = "sgv");
