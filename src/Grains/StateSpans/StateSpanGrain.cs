using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Interfaces.StateSpans;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.StateSpans;

/// <summary>
/// The single writer of one site's spans in one category. On its first activation (or when the
/// derivation rules changed) it derives the category's whole history from the stored documents;
/// afterwards the patient grain hands it the events of every committed change. Keeps the active span in memory.
/// </summary>
[GrainType("statespans")]
public sealed class StateSpanGrain(
    [PersistentState("statespans", NocturneStorage.ProviderName)] IPersistentState<StateSpanGrainState> state,
    StateSpanStore store,
    StateSpanQueries queries,
    SpanHistory history,
    TimeProvider time,
    ILogger<StateSpanGrain> logger) : Grain, IStateSpanGrain
{
    /// <summary>Raise when the derivation rules change: every category grain derives its history again on activation.</summary>
    public const int DerivationVersion = 1;

    private StateSpan? _active;

    private string SiteId => SiteGrainKeys.SiteOf(this.GetPrimaryKeyString());

    private StateSpanCategory Category
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            return StateSpanCategories.TryParse(key[(key.LastIndexOf("spans-", StringComparison.Ordinal) + "spans-".Length)..], out var category)
                ? category
                : throw new InvalidOperationException($"'{key}' is not a StateSpan grain key");
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.DerivedVersion != DerivationVersion)
        {
            await RebuildCoreAsync(cancellationToken);
        }

        await RefreshActiveAsync(cancellationToken);
    }

    public async Task ApplyAsync(IReadOnlyList<string> originKeys, IReadOnlyList<StateSpanEvent> events)
    {
        if (await store.ApplyAsync(SiteId, Category, originKeys, events, time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            await RefreshActiveAsync(CancellationToken.None);
        }
    }

    public async Task<int> RebuildAsync()
    {
        var count = await RebuildCoreAsync(CancellationToken.None);
        await RefreshActiveAsync(CancellationToken.None);
        return count;
    }

    private async Task<int> RebuildCoreAsync(CancellationToken cancellationToken)
    {
        var derived = await history.DeriveAsync(SiteId, Category, cancellationToken);
        var count = await store.RebuildAsync(SiteId, Category, derived, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        state.State.DerivedVersion = DerivationVersion;
        await state.WriteStateAsync(cancellationToken);
        logger.LogInformation("Site {Site}: {Category} spans derived from history ({Events} events, {Spans} spans)", SiteId, Category, derived.Count, count);
        return count;
    }

    public async Task<ManualSpanOutcome> CreateManualAsync(ManualSpan span)
    {
        var id = Guid.NewGuid().ToString();
        await store.ApplyAsync(SiteId, Category, [], [ManualEvent(id, span)], time.GetUtcNow().ToUnixTimeMilliseconds());
        await RefreshActiveAsync(CancellationToken.None);
        return new ManualSpanOutcome(ManualSpanResult.Done, await queries.FindByIdAsync(SiteId, id));
    }

    public async Task<ManualSpanOutcome> UpdateManualAsync(string id, ManualSpan span)
    {
        if (await RefuseAsync(id) is { } refused)
        {
            return refused;
        }

        await store.ApplyAsync(SiteId, Category, ["m:" + id], [ManualEvent(id, span)], time.GetUtcNow().ToUnixTimeMilliseconds());
        await RefreshActiveAsync(CancellationToken.None);
        return new ManualSpanOutcome(ManualSpanResult.Done, await queries.FindByIdAsync(SiteId, id));
    }

    public async Task<ManualSpanOutcome> DeleteManualAsync(string id)
    {
        if (await RefuseAsync(id) is { } refused)
        {
            return refused;
        }

        await store.ApplyAsync(SiteId, Category, ["m:" + id], [], time.GetUtcNow().ToUnixTimeMilliseconds());
        await RefreshActiveAsync(CancellationToken.None);
        return new ManualSpanOutcome(ManualSpanResult.Done, null);
    }

    public Task<StateSpan?> GetActiveAsync() => Task.FromResult(_active);

    // Only manual spans are written here; a derived one follows its treatment or device status.
    private async Task<ManualSpanOutcome?> RefuseAsync(string id)
    {
        if (await store.FindManualAsync(SiteId, Category, id) is not null)
        {
            return null;
        }

        return await queries.FindByIdAsync(SiteId, id) is { Manual: false } derived
            ? new ManualSpanOutcome(ManualSpanResult.Derived, derived,
                $"Span {id} is derived from {(derived.OriginalId is null ? "a document" : "document " + derived.OriginalId)}; edit or delete that instead")
            : new ManualSpanOutcome(ManualSpanResult.NotFound, null, $"No manual {Category} span {id}");
    }

    private static StateSpanEvent ManualEvent(string id, ManualSpan span) =>
        new("m:" + id, span.StartMills, StateSpanEventKind.Open, span.State, span.EndMills, span.Source ?? "manual",
            JsonNode.Parse(span.MetadataJson)?.ToJsonString() ?? "{}", null, "manual|" + id, id, Manual: true);

    private async Task RefreshActiveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        _active = (await queries.FindAsync(SiteId, new StateSpanQuery(Category, Active: true, Count: 1), now, cancellationToken)).FirstOrDefault();
    }
}
