using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>One ISF segment: from <see cref="Offset"/> minutes after local midnight.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefIsfEntry")]
public sealed record OrefIsfEntry(
    [property: Id(0), JsonPropertyName("offset")] double Offset,
    [property: Id(1), JsonPropertyName("sensitivity")] double Sensitivity);
