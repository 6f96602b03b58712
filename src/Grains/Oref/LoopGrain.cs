using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Interfaces.Tenants;
using Orleans.Concurrency;
using Nocturne.OrefInterop;

namespace Nocturne.Grains.Oref;

/// <summary>
/// The OpenAPS loop over a site's own data: a snapshot of the patient's live window (profile,
/// readings, device status) and the stored treatments, through the OrefGrain (a local stateless
/// worker). It keeps nothing between calls but the last iob/cob answer for a moment, so each silo runs it locally and in parallel.
/// </summary>
[GrainType("loop"), StatelessWorker]
public sealed class LoopGrain(DocumentStore documents, TimeProvider time) : Grain, ILoopGrain
{
    private sealed record LoopInputs(List<StoredDocument> Treatments, List<OrefTreatment> History, OrefProfileMapper.Mapped? Profile, string? Problem, List<OrefTempTarget> TempTargets);

    private string SiteId => this.GetPrimaryKeyString();

    private async Task<LoopInputs> LoadLoopInputsAsync(LoopSnapshot snapshot, DateTimeOffset now)
    {
        var since = (now - OrefHistory.Span).ToUnixTimeMilliseconds();
        // Only the last 24 hours are read, newest first; a day of a looping pump is a few hundred rows.
        var treatments = await documents.LoadRecentAsync(Collection.Treatments, SiteId, since, 5000, CancellationToken.None);
        treatments = treatments.Where(t => t.DateMs <= now.ToUnixTimeMilliseconds()).ToList();
        var targets = OrefHistory.TempTargets(treatments);
        var (profile, problem) = OrefProfileMapper.Map(snapshot.Profile is { } stored ? StoredDocument.FromSnapshot(stored) : null, now, OrefHistory.ActiveTempTarget(targets, now));
        return new LoopInputs(treatments, OrefHistory.Treatments(treatments), profile, problem, targets);
    }

    public async Task<OrefLoopOutcome?> SuggestAsync(bool microBolusAllowed)
    {
        if (await GrainFactory.Site(SiteId).Documents.GetLoopSnapshotAsync() is not { } snapshot)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var inputs = await LoadLoopInputsAsync(snapshot, now);
        if (inputs.Profile is not { } profile)
        {
            return new OrefLoopOutcome(null, inputs.Problem);
        }

        var glucose = snapshot.Glucose.ToList();
        if (glucose.Count == 0)
        {
            return new OrefLoopOutcome(null, "no CGM readings in the last 24 hours");
        }

        var request = new SuggestRequest(inputs.History, glucose, profile.Profile, OrefHistory.CurrentTemp(inputs.Treatments, now), inputs.TempTargets,
            UseAutosens: true, microBolusAllowed, now.ToUnixTimeMilliseconds(), profile.UtcOffsetMinutes, profile.UtcOffsets);
        try
        {
            var result = await GrainFactory.GetGrain<IOrefGrain>(0).SuggestAsync(request);
            return new OrefLoopOutcome(result, null);
        }
        catch (OrefException refused)
        {
            // oref refuses records outside physical ranges (a 1e12 U/h temp) or a call over its budget.
            return new OrefLoopOutcome(null, $"oref cannot run on the site's data: {refused.Message}");
        }
    }

}
