using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// The OpenAPS algorithms (oref-rs through its C ABI). A stateless worker: every silo runs
/// local activations, so other grains call it without a network hop. Use key 0.
/// </summary>
[Alias("nocturne.IOrefGrain")]
public interface IOrefGrain : IGrainWithIntegerKey
{
    [Alias("CalculateIob"), ReadOnly]
    Task<IReadOnlyList<IobTotals>> CalculateIobAsync(IobRequest request);

    [Alias("CalculateIobFromHistory"), ReadOnly]
    Task<IReadOnlyList<IobTick>> CalculateIobFromHistoryAsync(IobHistoryRequest request);

    [Alias("CalculateMeal"), ReadOnly]
    Task<MealData> CalculateMealAsync(MealRequest request);

    /// <summary>IOB and COB at every point of <paramref name="request"/> in one oref call (a chart's series).</summary>
    [Alias("CalculateIobCobSeries"), ReadOnly]
    Task<IReadOnlyList<IobCobValue>> CalculateIobCobSeriesAsync(IobCobSeriesRequest request);

    [Alias("DetectSensitivity"), ReadOnly]
    Task<AutosensResult> DetectSensitivityAsync(AutosensRequest request);

    [Alias("DetermineBasal"), ReadOnly]
    Task<OrefSuggestion> DetermineBasalAsync(DetermineBasalRequest request);

    [Alias("Suggest"), ReadOnly]
    Task<OrefLoopResult> SuggestAsync(SuggestRequest request);
}
