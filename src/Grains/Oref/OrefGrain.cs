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

    public Task<IReadOnlyList<IobTotals>> CalculateIobAsync(IobRequest request) => Task.FromResult(OrefLibrary.CalculateIob(request));

    public Task<IReadOnlyList<IobTick>> CalculateIobFromHistoryAsync(IobHistoryRequest request) => Task.FromResult(OrefLibrary.CalculateIobFromHistory(request));

    public Task<MealData> CalculateMealAsync(MealRequest request) => Task.FromResult(OrefLibrary.CalculateMeal(request));

    public Task<AutosensResult> DetectSensitivityAsync(AutosensRequest request) => Task.FromResult(OrefLibrary.DetectSensitivity(request));

    public Task<OrefSuggestion> DetermineBasalAsync(DetermineBasalRequest request) => Task.FromResult(OrefLibrary.DetermineBasal(request));

    public Task<OrefLoopResult> SuggestAsync(SuggestRequest request) => Task.FromResult(OrefLibrary.Suggest(request));
}
