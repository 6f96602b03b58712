namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>One run of the loop over stored data: its inputs as oref0 derived them, and the decision.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefLoopResult")]
public sealed record OrefLoopResult(
    [property: Id(0)] GlucoseStatus GlucoseStatus,
    [property: Id(1)] AutosensResult? Autosens,
    [property: Id(2)] IobTick Iob,
    [property: Id(3)] MealData Meal,
    [property: Id(4)] OrefSuggestion Suggested);
