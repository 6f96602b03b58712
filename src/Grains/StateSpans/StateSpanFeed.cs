using Microsoft.Extensions.Logging;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.StateSpans;

namespace Nocturne.Grains.StateSpans;

/// <summary>
/// Follows a site's committed document changes into its StateSpan category grains (the patient
/// grain calls it from its one change hook). A category that could not be told (its grain or
/// PostgreSQL failed after the documents were durable) is rebuilt from the stored documents on
/// the next change of any collection; the write itself never fails because of spans.
/// </summary>
public sealed class StateSpanFeed
{
    private readonly HashSet<StateSpanCategory> _behind = [];

    public async Task ForwardAsync(IGrainFactory grains, string siteId, DocumentChange change, ILogger logger)
    {
        var work = new Dictionary<StateSpanCategory, (List<string> Keys, List<StateSpanEvent> Events)>();
        if (change.Collection is Collection.Treatments or Collection.DeviceStatus)
        {
            var sourceCategories = change.Collection == Collection.DeviceStatus ? SpanDerivation.DeviceStatusCategories : [.. SpanDerivation.TreatmentTypes.Keys];
            (List<string>, List<StateSpanEvent>) For(StateSpanCategory c) => work.TryGetValue(c, out var w) ? w : work[c] = ([], []);
            foreach (var document in change.Written)
            {
                var key = SpanDerivation.OriginKey(change.Collection, document.ObjectId);
                var derived = SpanDerivation.Derive(siteId, change.Collection, document).ToList();
                // A new document can only add events; an edited or soft-deleted one may have left a
                // category it used to speak for, so every category of its collection hears of it.
                var touched = document.SrvCreated == document.SrvModified ? derived.Select(d => d.Category).Distinct() : sourceCategories;
                foreach (var category in touched)
                {
                    var (keys, events) = For(category);
                    keys.Add(key);
                    events.AddRange(derived.Where(d => d.Category == category).Select(d => d.Event));
                }
            }

            foreach (var removed in change.RemovedObjectIds)
            {
                foreach (var category in sourceCategories)
                {
                    For(category).Item1.Add(SpanDerivation.OriginKey(change.Collection, removed));
                }
            }
        }

        var calls = work.Select(w => TellAsync(grains, siteId, w.Key, w.Value.Keys, w.Value.Events, logger))
            .Concat(_behind.Except(work.Keys).ToList().Select(c => CatchUpAsync(grains, siteId, c, logger)));
        await Task.WhenAll(calls);
    }

    private async Task TellAsync(IGrainFactory grains, string siteId, StateSpanCategory category, List<string> keys, List<StateSpanEvent> events, ILogger logger)
    {
        var grain = grains.GetGrain<IStateSpanGrain>(StateSpanCategories.GrainKey(siteId, category));
        try
        {
            if (_behind.Contains(category))
            {
                await grain.RebuildAsync();
                _behind.Remove(category);
            }
            else
            {
                await grain.ApplyAsync(keys, events);
            }
        }
        catch (Exception ex)
        {
            _behind.Add(category);
            logger.LogWarning(ex, "Site {Site}: {Category} spans fell behind; rebuilding them on the next change", siteId, category);
        }
    }

    private async Task CatchUpAsync(IGrainFactory grains, string siteId, StateSpanCategory category, ILogger logger)
    {
        try
        {
            await grains.GetGrain<IStateSpanGrain>(StateSpanCategories.GrainKey(siteId, category)).RebuildAsync();
            _behind.Remove(category);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Site {Site}: {Category} spans still behind", siteId, category);
        }
    }
}
