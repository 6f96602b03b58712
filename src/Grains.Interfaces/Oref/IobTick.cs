using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// One 5-minute point of oref0's IOB array: the totals, the totals had the pump stopped now
/// (zero temp), and on the first point the last bolus time and last temp basal.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.IobTick")]
public sealed record IobTick(
    [property: Id(0), JsonPropertyName("iob")] double Iob,
    [property: Id(1), JsonPropertyName("activity")] double Activity,
    [property: Id(2), JsonPropertyName("basaliob")] double BasalIob,
    [property: Id(3), JsonPropertyName("bolusiob")] double BolusIob,
    [property: Id(4), JsonPropertyName("netbasalinsulin")] double NetBasalInsulin,
    [property: Id(5), JsonPropertyName("bolusinsulin")] double BolusInsulin,
    [property: Id(6), JsonPropertyName("time")] string? Time,
    [property: Id(7), JsonPropertyName("iobWithZeroTemp")] IobTotals IobWithZeroTemp,
    [property: Id(8), JsonPropertyName("lastBolusTime")] double? LastBolusTime = null,
    [property: Id(9), JsonPropertyName("lastTemp")] LastTemp? LastTemp = null);
