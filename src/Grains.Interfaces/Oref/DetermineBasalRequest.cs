using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>determine-basal on prepared inputs, as oref0-determine-basal takes them.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.DetermineBasalRequest")]
public sealed record DetermineBasalRequest(
    [property: Id(0), JsonPropertyName("glucoseStatus")] GlucoseStatus GlucoseStatus,
    [property: Id(1), JsonPropertyName("currentTemp")] OrefCurrentTemp CurrentTemp,
    [property: Id(2), JsonPropertyName("iob")] IReadOnlyList<IobTick> Iob,
    [property: Id(3), JsonPropertyName("profile")] OrefProfile Profile,
    [property: Id(4), JsonPropertyName("autosens")] AutosensResult? Autosens,
    [property: Id(5), JsonPropertyName("meal")] MealData Meal,
    [property: Id(6), JsonPropertyName("microBolusAllowed")] bool MicroBolusAllowed,
    [property: Id(7), JsonPropertyName("currentTime")] long CurrentTime,
    [property: Id(8), JsonPropertyName("utcOffset")] int UtcOffset,
    [property: Id(9), JsonPropertyName("utcOffsets")] IReadOnlyList<OrefUtcOffset>? UtcOffsets = null);
