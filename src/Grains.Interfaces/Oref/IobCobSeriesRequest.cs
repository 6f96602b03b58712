using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// IOB and COB at many instants over one treatment history and reading list (both newest first):
/// one oref call where a chart would make two per point.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.IobCobSeriesRequest")]
public sealed record IobCobSeriesRequest(
    [property: Id(0), JsonPropertyName("history")] IReadOnlyList<OrefTreatment> History,
    [property: Id(1), JsonPropertyName("profile")] OrefProfile Profile,
    [property: Id(2), JsonPropertyName("glucose")] IReadOnlyList<OrefGlucose> Glucose,
    [property: Id(3), JsonPropertyName("points")] IReadOnlyList<IobCobPoint> Points,
    [property: Id(4), JsonPropertyName("utcOffset")] int UtcOffset,
    [property: Id(5), JsonPropertyName("utcOffsets")] IReadOnlyList<OrefUtcOffset>? UtcOffsets = null);
