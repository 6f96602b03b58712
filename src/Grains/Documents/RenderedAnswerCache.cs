using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Rendered window answers (entries.json?count=N as text) for the sites read most, within one
/// byte budget for the whole process, least recently used first out. One answer per site would
/// cost more than the site itself (count=288 is about 59 KB), and most sites are read
/// a few times between two readings; a site many followers poll stays in.
/// Keyed by the window and its version, so a change makes the old answers unreachable and they
/// age out.
/// </summary>
public sealed class RenderedAnswerCache(long budgetBytes)
{
    /// <summary>16 MiB: at 10,000 sites under 2 KiB a site, and about 280 count=288 answers.</summary>
    public static readonly RenderedAnswerCache Shared = new(16L * 1024 * 1024);

    private readonly Dictionary<Key, LinkedListNode<Item>> _items = [];
    private readonly LinkedList<Item> _recency = new();
    private readonly Lock _gate = new();
    private long _bytes;

    public RecentEntries? Get(object window, long version, int count, string? type, long sinceMs)
    {
        lock (_gate)
        {
            if (!_items.TryGetValue(new Key(window, version, count, type), out var node) || node.Value.OldestMs < sinceMs)
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Answer;
        }
    }

    /// <summary>Keeps an answer whose oldest entry is dated <paramref name="oldestMs"/> (it stays valid while that is inside the asked span).</summary>
    public void Put(object window, long version, int count, string? type, RecentEntries answer, long oldestMs)
    {
        var size = Size(answer);
        if (size > budgetBytes / 8)
        {
            return;
        }

        var key = new Key(window, version, count, type);
        lock (_gate)
        {
            if (_items.Remove(key, out var existing))
            {
                _recency.Remove(existing);
                _bytes -= Size(existing.Value.Answer);
            }

            _items[key] = _recency.AddFirst(new Item(key, answer, oldestMs));
            _bytes += size;
            while (_bytes > budgetBytes && _recency.Last is { } last)
            {
                _recency.RemoveLast();
                _items.Remove(last.Value.Key);
                _bytes -= Size(last.Value.Answer);
            }
        }
    }

    // The bytes and the bookkeeping around them.
    private static long Size(RecentEntries answer) => answer.Utf8Json.Length + 160L;

    private readonly record struct Key(object Window, long Version, int Count, string? Type);

    private sealed record Item(Key Key, RecentEntries Answer, long OldestMs);
}
