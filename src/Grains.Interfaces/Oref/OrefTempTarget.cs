using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>A Nightscout temporary target (mg/dL).</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefTempTarget")]
public sealed record OrefTempTarget(
    [property: Id(0), JsonPropertyName("created_at")] string CreatedAt,
    [property: Id(1), JsonPropertyName("duration")] double Duration,
    [property: Id(2), JsonPropertyName("targetTop")] double TargetTop,
    [property: Id(3), JsonPropertyName("targetBottom")] double TargetBottom);
