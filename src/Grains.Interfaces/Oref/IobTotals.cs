using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>IOB and activity at one moment, rounded as oref0 reports them.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.IobTotals")]
public sealed record IobTotals(
    [property: Id(0), JsonPropertyName("iob")] double Iob,
    [property: Id(1), JsonPropertyName("activity")] double Activity,
    [property: Id(2), JsonPropertyName("basaliob")] double BasalIob,
    [property: Id(3), JsonPropertyName("bolusiob")] double BolusIob,
    [property: Id(4), JsonPropertyName("netbasalinsulin")] double NetBasalInsulin,
    [property: Id(5), JsonPropertyName("bolusinsulin")] double BolusInsulin);
