using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>The ISF schedule (mg/dL per U) in oref0's shape.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefIsfProfile")]
public sealed record OrefIsfProfile([property: Id(0), JsonPropertyName("sensitivities")] IReadOnlyList<OrefIsfEntry> Sensitivities);
