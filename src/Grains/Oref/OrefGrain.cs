using Nocturne.Grains.Interfaces.Oref;
using Nocturne.OrefInterop;
using Orleans.Concurrency;

namespace Nocturne.Grains.Oref;

/// <summary>Runs oref-rs in-process; as a stateless worker it scales with the silo's cores.</summary>
[GrainType("oref"), StatelessWorker]
public sealed class OrefGrain : Grain, IOrefGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Refuse to run against a library built for another ABI rather than misread its answers.
        OrefLibrary.EnsureCompatible();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IobTotals>> CalculateIobAsync(IobRequest request) => OrefCallBudget.RunAsync(() => OrefLibrary.CalculateIob(request));

    public Task<IReadOnlyList<IobTick>> CalculateIobFromHistoryAsync(IobHistoryRequest request) => OrefCallBudget.RunAsync(() => OrefLibrary.CalculateIobFromHistory(request));

    public Task<MealData> CalculateMealAsync(MealRequest request) => OrefCallBudget.RunAsync(() => OrefLibrary.CalculateMeal(request));

    // Every point runs under oref's own per-call work budget, so the wait grows with the points
    // (a busy day costs about a millisecond a point), below the grain call timeout.
    public Task<IReadOnlyList<IobCobValue>> CalculateIobCobSeriesAsync(IobCobSeriesRequest request) =>
        OrefCallBudget.RunAsync(() => OrefLibrary.CalculateIobCobSeries(request), OrefCallBudget.Default + TimeSpan.FromMilliseconds(Math.Min(20_000, 20 * request.Points.Count)));

    public Task<AutosensResult> DetectSensitivityAsync(AutosensRequest request) => OrefCallBudget.RunAsync(() => OrefLibrary.DetectSensitivity(request));

    public Task<OrefSuggestion> DetermineBasalAsync(DetermineBasalRequest request) => OrefCallBudget.RunAsync(() => OrefLibrary.DetermineBasal(request));

    public Task<OrefLoopResult> SuggestAsync(SuggestRequest request) => OrefCallBudget.RunAsync(() => OrefLibrary.Suggest(request));
}
