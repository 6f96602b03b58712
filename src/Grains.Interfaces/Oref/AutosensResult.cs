using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>oref0's sensitivity ratio (the lower of the 8 h and 24 h ratios).</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.AutosensResult")]
public sealed record AutosensResult(
    [property: Id(0), JsonPropertyName("ratio")] double Ratio,
    [property: Id(1), JsonPropertyName("newisf")] double? NewIsf = null,
    [property: Id(2), JsonPropertyName("ratio8h")] double? Ratio8h = null,
    [property: Id(3), JsonPropertyName("ratio24h")] double? Ratio24h = null,
    [property: Id(4), JsonPropertyName("reason")] string? Reason = null);
