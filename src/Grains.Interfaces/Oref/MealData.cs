using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>oref0's meal data: carbs of the last 6 hours, COB and the deviation statistics.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.MealData")]
public sealed record MealData
{
    [Id(0), JsonPropertyName("carbs")] public double? Carbs { get; init; }
    [Id(1), JsonPropertyName("nsCarbs")] public double? NsCarbs { get; init; }
    [Id(2), JsonPropertyName("bwCarbs")] public double? BwCarbs { get; init; }
    [Id(3), JsonPropertyName("journalCarbs")] public double? JournalCarbs { get; init; }
    [Id(4), JsonPropertyName("mealCOB")] public double? MealCob { get; init; }
    [Id(5), JsonPropertyName("currentDeviation")] public double? CurrentDeviation { get; init; }
    [Id(6), JsonPropertyName("maxDeviation")] public double? MaxDeviation { get; init; }
    [Id(7), JsonPropertyName("minDeviation")] public double? MinDeviation { get; init; }
    // Null slopes (no recent deviations) are written as null: oref0's determine-basal reads a null
    // slope as 0 and a missing one as NaN, and meal data always comes from oref with null here.
    [Id(8), JsonPropertyName("slopeFromMaxDeviation"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? SlopeFromMaxDeviation { get; init; }
    [Id(9), JsonPropertyName("slopeFromMinDeviation"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? SlopeFromMinDeviation { get; init; }
    [Id(10), JsonPropertyName("allDeviations")] public IReadOnlyList<double?> AllDeviations { get; init; } = [];
    [Id(11), JsonPropertyName("lastCarbTime")] public double? LastCarbTime { get; init; }
    [Id(12), JsonPropertyName("bwFound")] public bool? BwFound { get; init; }
}
