using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.StateSpans;

namespace Nocturne.Grains.StateSpans;

/// <summary>
/// Turns a category's events into spans. Exclusive categories: an open ends the running span at
/// its start, a close ends it (a temp basal cut short by a cancel becomes <c>Cancelled</c>), a
/// span with a declared end stops there by itself, a sample continues a running span of the same
/// state or starts a new one. Other categories: every open is its own span. Events with the same
/// time, kind, state and content (re-uploads under another id, two uploaders) are one fact whose
/// span lists every source. Spans of zero length are dropped.
/// </summary>
public static class SpanReplay
{
    /// <summary>
    /// Replay order: time, then closes before opens before samples, then content (so equal facts
    /// are neighbours), then origin key.
    /// </summary>
    public static readonly IComparer<StateSpanEvent> Order = Comparer<StateSpanEvent>.Create((a, b) =>
    {
        var c = a.AtMs.CompareTo(b.AtMs);
        c = c != 0 ? c : a.Kind.CompareTo(b.Kind);
        c = c != 0 ? c : string.CompareOrdinal(a.State, b.State);
        c = c != 0 ? c : string.CompareOrdinal(a.CanonicalKey, b.CanonicalKey);
        c = c != 0 ? c : a.Manual.CompareTo(b.Manual);
        return c != 0 ? c : string.CompareOrdinal(a.OriginKey, b.OriginKey);
    });

    /// <param name="running">The span already open before the first event (replay resumed mid-history).</param>
    /// <param name="cutAt">Where the replayed stretch ends: a running span stops there at the latest (the next event takes over).</param>
    public static List<ReplayedSpan> Replay(StateSpanCategory category, IEnumerable<StateSpanEvent> events, ReplayedSpan? running = null, long? cutAt = null)
    {
        var exclusive = StateSpanCategories.IsExclusive(category);
        var spans = new List<ReplayedSpan>();
        var current = exclusive ? running : null;

        void Emit(ReplayedSpan span, long? end, string? state = null)
        {
            if (end is not { } e || e > span.Start)
            {
                spans.Add(span with { End = end, State = state ?? span.State });
            }
        }

        foreach (var fact in Facts(events))
        {
            var at = fact.Event.AtMs;
            if (!exclusive)
            {
                if (fact.Event.Kind == StateSpanEventKind.Open)
                {
                    Emit(Start(category, fact), fact.Event.EndMs);
                }

                continue;
            }

            if (current is { DeclaredEnd: { } declared } && declared <= at)
            {
                Emit(current, declared);
                current = null;
            }

            switch (fact.Event.Kind)
            {
                case StateSpanEventKind.Close:
                    if (current is not null)
                    {
                        var cutShort = current.DeclaredEnd is { } planned && planned > at;
                        Emit(current, at, category == StateSpanCategory.TempBasal && cutShort ? "Cancelled" : null);
                        current = null;
                    }

                    break;
                case StateSpanEventKind.Sample when current is not null && current.State == fact.Event.State:
                    current = current with { Sources = [.. current.Sources.Union(fact.Sources, StringComparer.Ordinal)] };
                    break;
                default:
                    if (current is not null)
                    {
                        Emit(current, at);
                    }

                    current = Start(category, fact);
                    break;
            }
        }

        if (current is not null)
        {
            var end = current.DeclaredEnd;
            if (cutAt is { } cut && (end is null || end > cut))
            {
                end = cut;
            }

            Emit(current, end);
        }

        return spans;
    }

    /// <summary>The span a fact starts, before anything ends it.</summary>
    private static ReplayedSpan Start(StateSpanCategory category, Fact fact)
    {
        var e = fact.Event;
        var declared = e.Kind == StateSpanEventKind.Sample ? null : e.EndMs;
        return new ReplayedSpan(e.SpanId, e.State, e.AtMs, null, declared, e.Source, e.MetadataJson, e.OriginalId,
            CanonicalId(category, e), fact.Sources, e.Manual);
    }

    public static string CanonicalId(StateSpanCategory category, StateSpanEvent e) =>
        Uuid5.Create($"state-span|{category}|{e.AtMs}|{e.Kind}|{e.State}|{e.CanonicalKey}");

    private sealed record Fact(StateSpanEvent Event, List<string> Sources);

    // Equal facts at one instant collapse into the first by origin key, keeping every source.
    private static IEnumerable<Fact> Facts(IEnumerable<StateSpanEvent> events)
    {
        Fact? pending = null;
        foreach (var e in events.Order(Order))
        {
            if (pending is not null && pending.Event.AtMs == e.AtMs && pending.Event.Kind == e.Kind && pending.Event.State == e.State
                && pending.Event.CanonicalKey == e.CanonicalKey && pending.Event.Manual == e.Manual)
            {
                if (e.Source is { } s && !pending.Sources.Contains(s))
                {
                    pending.Sources.Add(s);
                }

                continue;
            }

            if (pending is not null)
            {
                yield return pending;
            }

            pending = new Fact(e, e.Source is null ? [] : [e.Source]);
        }

        if (pending is not null)
        {
            yield return pending;
        }
    }
}
