namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// The determine-basal decision. The typed fields are what callers act on; <see cref="Json"/> is
/// oref0's complete object (the shape loop apps upload as <c>openaps.suggested</c>), some of
/// whose fields are strings in mmol/L profiles.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefSuggestion")]
public sealed record OrefSuggestion
{
    /// <summary>Temp basal rate (U/h) to set; null when the current temp stays.</summary>
    [Id(0)] public double? Rate { get; init; }
    /// <summary>Minutes of the temp basal; 0 with rate 0 cancels the running temp.</summary>
    [Id(1)] public double? Duration { get; init; }
    /// <summary>Super-micro-bolus to deliver now (U).</summary>
    [Id(2)] public double? Units { get; init; }
    [Id(3)] public double? EventualBg { get; init; }
    [Id(4)] public double? InsulinReq { get; init; }
    [Id(5)] public double? CarbsReq { get; init; }
    [Id(6)] public double? Bg { get; init; }
    [Id(7)] public double? Cob { get; init; }
    [Id(8)] public double? Iob { get; init; }
    [Id(9)] public double? SensitivityRatio { get; init; }
    [Id(10)] public OrefPredictions? Predictions { get; init; }
    [Id(11)] public string? Reason { get; init; }
    /// <summary>Set when oref0 could not decide (no basal rate, no target, no IOB data).</summary>
    [Id(12)] public string? Error { get; init; }
    [Id(13)] public required string Json { get; init; }
}
