using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>The newest temp basal in the treatment history (date 0 when there is none).</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.LastTemp")]
public sealed record LastTemp(
    [property: Id(0), JsonPropertyName("date")] double Date,
    [property: Id(1), JsonPropertyName("rate")] double? Rate = null,
    [property: Id(2), JsonPropertyName("duration")] double? Duration = null);
