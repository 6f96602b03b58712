using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// IOB and meal data (COB) at one instant of a series, each equal to what the single IOB and meal
/// calls answer for that instant, or oref's reason for refusing it.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.IobCobValue")]
public sealed record IobCobValue(
    [property: Id(0), JsonPropertyName("clock")] double Clock,
    [property: Id(1), JsonPropertyName("iob")] IobTick? Iob,
    [property: Id(2), JsonPropertyName("iobError")] string? IobError,
    [property: Id(3), JsonPropertyName("meal")] MealData? Meal,
    [property: Id(4), JsonPropertyName("mealError")] string? MealError);
