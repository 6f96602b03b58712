using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>COB and meal data from treatments and readings (both newest first) at <see cref="Clock"/>.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.MealRequest")]
public sealed record MealRequest(
    [property: Id(0), JsonPropertyName("history")] IReadOnlyList<OrefTreatment> History,
    [property: Id(1), JsonPropertyName("profile")] OrefProfile Profile,
    [property: Id(2), JsonPropertyName("glucose")] IReadOnlyList<OrefGlucose> Glucose,
    [property: Id(3), JsonPropertyName("clock")] long Clock,
    [property: Id(4), JsonPropertyName("utcOffset")] int UtcOffset,
    [property: Id(5), JsonPropertyName("utcOffsets")] IReadOnlyList<OrefUtcOffset>? UtcOffsets = null);
