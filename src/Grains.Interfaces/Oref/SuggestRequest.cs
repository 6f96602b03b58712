using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>The whole loop (autosens, IOB, meal, determine-basal) over stored data, newest first.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.SuggestRequest")]
public sealed record SuggestRequest(
    [property: Id(0), JsonPropertyName("treatments")] IReadOnlyList<OrefTreatment> Treatments,
    [property: Id(1), JsonPropertyName("glucose")] IReadOnlyList<OrefGlucose> Glucose,
    [property: Id(2), JsonPropertyName("profile")] OrefProfile Profile,
    [property: Id(3), JsonPropertyName("currentTemp")] OrefCurrentTemp CurrentTemp,
    [property: Id(4), JsonPropertyName("tempTargets")] IReadOnlyList<OrefTempTarget> TempTargets,
    [property: Id(5), JsonPropertyName("useAutosens")] bool UseAutosens,
    [property: Id(6), JsonPropertyName("microBolusAllowed")] bool MicroBolusAllowed,
    [property: Id(7), JsonPropertyName("clock")] long Clock,
    [property: Id(8), JsonPropertyName("utcOffset")] int UtcOffset,
    [property: Id(9), JsonPropertyName("utcOffsets")] IReadOnlyList<OrefUtcOffset>? UtcOffsets = null);
