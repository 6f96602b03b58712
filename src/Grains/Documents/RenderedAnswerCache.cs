using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Rendered window answers (entries.json?count=N as text) for the sites read most, within one
/// byte budget for the whole process. One answer per site would cost more than the site itself
/// (count=288 is about 60 KB), and most sites are read a few times between two readings; a site
/// many followers poll stays in.
/// Room is made only from answers nobody asked for in the last <see cref="ColdAfterMs"/>: when
/// more sites are read than the budget holds (as when thousands of sites are each read every few
/// seconds), a newcomer is not kept rather than pushing out an answer in use, which would be
/// rendered again at its next read and push out another (every read a miss, and every miss an
/// answer of 60 KB kept just long enough to survive a garbage collection).
/// Keyed by the window and its version, so a change makes the old answers unreachable and they
/// go cold.
/// </summary>
public sealed class RenderedAnswerCache(long budgetBytes)
{
    /// <summary>16 MiB: at 10,000 sites under 2 KiB a site, and about 280 count=288 answers.</summary>
    public static readonly RenderedAnswerCache Shared = new(16L * 1024 * 1024);

    /// <summary>An answer unread for this long may make room for another.</summary>
    public const long ColdAfterMs = 10_000;

    // The bytes and the bookkeeping around them.
    private const int Overhead = 160;

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

            node.Value.UsedAt = Environment.TickCount64;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Answer;
        }
    }

    /// <summary>
    /// Whether an answer of <paramref name="length"/> bytes would likely be kept now (a hint:
    /// <see cref="Put"/> decides), so that the reader copies it into an array of its own only then.
    /// </summary>
    public bool Admits(int length)
    {
        if (length + Overhead > budgetBytes / 8)
        {
            return false;
        }

        lock (_gate)
        {
            return _bytes + length + Overhead <= budgetBytes || IsCold(_recency.Last, Environment.TickCount64);
        }
    }

    /// <summary>
    /// Keeps an answer whose oldest entry is dated <paramref name="oldestMs"/> (it stays valid while
    /// that is inside the asked span), if there is room or cold answers to make it; false otherwise.
    /// </summary>
    public bool Put(object window, long version, int count, string? type, RecentEntries answer, long oldestMs)
    {
        var size = Size(answer);
        if (size > budgetBytes / 8)
        {
            return false;
        }

        var key = new Key(window, version, count, type);
        var now = Environment.TickCount64;
        lock (_gate)
        {
            if (_items.Remove(key, out var existing))
            {
                _recency.Remove(existing);
                _bytes -= Size(existing.Value.Answer);
            }

            while (_bytes + size > budgetBytes)
            {
                if (!IsCold(_recency.Last, now))
                {
                    return false;
                }

                var last = _recency.Last!;
                _recency.RemoveLast();
                _items.Remove(last.Value.Key);
                _bytes -= Size(last.Value.Answer);
            }

            _items[key] = _recency.AddFirst(new Item(key, answer, oldestMs) { UsedAt = now });
            _bytes += size;
            return true;
        }
    }

    private static bool IsCold(LinkedListNode<Item>? node, long now) => node is not null && now - node.Value.UsedAt >= ColdAfterMs;

    private static long Size(RecentEntries answer) => answer.Utf8Json.Length + (long)Overhead;

    private readonly record struct Key(object Window, long Version, int Count, string? Type);

    private sealed record Item(Key Key, RecentEntries Answer, long OldestMs)
    {
        public long UsedAt { get; set; }
    }
}
