using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// One instant of an IOB/COB series and what was known then: the treatments from
/// <see cref="HistoryFrom"/> on (newer ones came later) and the readings
/// <see cref="GlucoseFrom"/>..<see cref="GlucoseTo"/> (COB only when that is not empty).
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.IobCobPoint")]
public sealed record IobCobPoint(
    [property: Id(0), JsonPropertyName("clock")] long Clock,
    [property: Id(1), JsonPropertyName("historyFrom")] int HistoryFrom,
    [property: Id(2), JsonPropertyName("glucoseFrom")] int GlucoseFrom,
    [property: Id(3), JsonPropertyName("glucoseTo")] int GlucoseTo);
