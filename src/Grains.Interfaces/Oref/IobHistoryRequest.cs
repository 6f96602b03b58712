using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>IOB from treatments (newest first) at <see cref="Clock"/> (epoch ms); 48 points unless <see cref="CurrentOnly"/>.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.IobHistoryRequest")]
public sealed record IobHistoryRequest(
    [property: Id(0), JsonPropertyName("history")] IReadOnlyList<OrefTreatment> History,
    [property: Id(1), JsonPropertyName("profile")] OrefProfile Profile,
    [property: Id(2), JsonPropertyName("clock")] long Clock,
    [property: Id(3), JsonPropertyName("utcOffset")] int UtcOffset,
    [property: Id(4), JsonPropertyName("autosens")] AutosensResult? Autosens = null,
    [property: Id(5), JsonPropertyName("currentOnly")] bool CurrentOnly = false,
    [property: Id(6), JsonPropertyName("utcOffsets")] IReadOnlyList<OrefUtcOffset>? UtcOffsets = null);
