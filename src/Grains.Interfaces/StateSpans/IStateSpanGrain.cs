using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.StateSpans;

/// <summary>
/// One category of one site's StateSpans (key from <see cref="StateSpanCategories.GrainKey"/>):
/// the single writer of that category's events and spans. The patient grain tells it about every
/// committed document change; on first activation it derives the whole history from the stored documents.
/// </summary>
[Alias("nocturne.IStateSpanGrain")]
public interface IStateSpanGrain : IGrainWithStringKey
{
    /// <summary>
    /// Replaces every event of the given sources (<c>t:</c>/<c>d:</c> keys) with <paramref name="events"/>
    /// (none when a source was deleted or no longer speaks for this category) and replays the spans they touch.
    /// </summary>
    [Alias("Apply")]
    Task ApplyAsync(IReadOnlyList<string> originKeys, IReadOnlyList<StateSpanEvent> events);

    /// <summary>Derives the category again from all stored documents (manual spans kept); returns the number of spans.</summary>
    [Alias("Rebuild")]
    Task<int> RebuildAsync();

    [Alias("CreateManual")]
    Task<ManualSpanOutcome> CreateManualAsync(ManualSpan span);

    [Alias("UpdateManual")]
    Task<ManualSpanOutcome> UpdateManualAsync(string id, ManualSpan span);

    [Alias("DeleteManual")]
    Task<ManualSpanOutcome> DeleteManualAsync(string id);

    /// <summary>The open span, from memory (null when none).</summary>
    [Alias("GetActive"), ReadOnly]
    Task<StateSpan?> GetActiveAsync();
}
