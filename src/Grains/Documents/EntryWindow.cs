using System.Text;
using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// A site's newest valid entries, kept by its grain so that the every-5-minutes reads
/// (entries.json, entries/current, properties) never touch PostgreSQL. It holds exactly every
/// valid entry dated at or after <see cref="Floor"/>: the last 24 hours and at least the newest
/// <see cref="MinimumCount"/> (so that count=288 and other common counts stay in memory when the
/// oldest reading of the day ages out), at most <see cref="Capacity"/>. Overflowing the capacity
/// only raises the floor, so a backfill never takes a site off the fast path, and a window that
/// deletes leave short asks its grain to load it again (<see cref="NeedsRefill"/>).
/// Entries are kept as their finished v1 JSON in UTF-8, ordered oldest first so that the usual
/// write (a new newest reading) appends and the oldest ages out from the head, whatever the size.
/// </summary>
public sealed class EntryWindow
{
    public static readonly TimeSpan Span = TimeSpan.FromHours(24);

    /// <summary>Readings kept whatever their age: a day of 5-minute readings and some to spare.</summary>
    public const int MinimumCount = 400;

    /// <summary>Bounded: 1-minute sensors give 1,440 a day; the cap leaves room for several devices.</summary>
    public const int Capacity = 5000;

    private const int RenderedKept = 8;

    // Ascending by (date, _id), the live part starting at _head (the oldest leave from the front without a copy).
    private readonly List<WindowEntry?> _entries = [];
    private readonly Dictionary<string, WindowEntry> _byObjectId = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Count, string? Type), Rendered> _rendered = [];
    private int _head;

    /// <summary>Every valid entry dated at or after this is in the window (long.MinValue: every entry of the site).</summary>
    public long Floor { get; private set; } = long.MinValue;

    public int Count => _entries.Count - _head;

    /// <summary>True when deletes left fewer than <see cref="MinimumCount"/> while older entries may exist.</summary>
    public bool NeedsRefill => Count < MinimumCount && Floor != long.MinValue;

    /// <summary>
    /// Loads the newest entries (newest first, ordered by date then _id descending), knowing that
    /// they are every valid entry dated at or after <paramref name="floor"/>.
    /// </summary>
    public void Load(IReadOnlyList<StoredDocument> newestFirst, long floor, DateTimeOffset now)
    {
        _entries.Clear();
        _byObjectId.Clear();
        _rendered.Clear();
        _head = 0;
        Floor = floor;
        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            var entry = WindowEntry.From(newestFirst[i]);
            if (entry.DateMs >= floor && _byObjectId.TryAdd(entry.ObjectId, entry))
            {
                _entries.Add(entry);
            }
        }

        Trim(now);
    }

    public void Apply(IEnumerable<StoredDocument> written, IReadOnlyCollection<string> deletedObjectIds, DateTimeOffset now)
    {
        _rendered.Clear();
        foreach (var objectId in deletedObjectIds)
        {
            Remove(objectId);
        }

        foreach (var document in written)
        {
            // Keyed by _id, which never changes: a v3 dedup may give a document a new identifier.
            Remove(document.ObjectId);
            if (document.IsValid && document.DateMs >= Floor)
            {
                Insert(WindowEntry.From(document));
            }
        }

        Trim(now);
    }

    /// <summary>
    /// True when the window can tell, for every document, that PostgreSQL holds no entry it would
    /// dedup against: none carries an identifier or _id (those may match any entry, deleted ones
    /// included), each is dated inside the window and no valid entry has its date.
    /// </summary>
    public bool RulesOutDuplicates(IReadOnlyList<PreparedDocument> documents)
    {
        foreach (var document in documents)
        {
            if (document.Identifier is not null || document.ObjectId is not null || document.DateMs < Floor || HasDate(document.DateMs))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Entries of a type at or after a time, newest first, as documents (for the few that properties need).</summary>
    public IEnumerable<StoredDocument> Since(long sinceMs, string type)
    {
        for (var i = _entries.Count - 1; i >= _head && _entries[i]!.DateMs >= sinceMs; i--)
        {
            if (_entries[i]!.Type == type)
            {
                yield return _entries[i]!.ToDocument();
            }
        }
    }

    /// <summary>
    /// The newest <paramref name="count"/> entries (of a type) dated at or after
    /// <paramref name="sinceMs"/>, as PostgreSQL would give them (date then _id descending), as a
    /// JSON array; null when the window holds fewer.
    /// </summary>
    public RecentEntries? Newest(int count, string? type, long sinceMs)
    {
        if (_rendered.TryGetValue((count, type), out var cached) && cached.OldestMs >= sinceMs)
        {
            return cached.Answer;
        }

        var matching = new List<WindowEntry>(Math.Min(count, Count));
        for (var i = _entries.Count - 1; i >= _head && matching.Count < count; i--)
        {
            var entry = _entries[i]!;
            if (entry.DateMs < sinceMs)
            {
                break;
            }

            if (type is null || entry.Type == type)
            {
                matching.Add(entry);
            }
        }

        // Fewer than asked: PostgreSQL answers (older ones may exist below the floor, and a short
        // answer would show the window's key order where PostgreSQL's has always been seen).
        if (matching.Count < count)
        {
            return null;
        }

        var bytes = new byte[matching.Sum(e => e.Json.Length) + Math.Max(0, matching.Count - 1) + 2];
        var at = 0;
        bytes[at++] = (byte)'[';
        foreach (var entry in matching)
        {
            if (at > 1)
            {
                bytes[at++] = (byte)',';
            }

            entry.Json.CopyTo(bytes, at);
            at += entry.Json.Length;
        }

        bytes[at] = (byte)']';
        var answer = new RecentEntries(Encoding.UTF8.GetString(bytes), matching.Count == 0 ? null : matching[0].DateMs);
        if (_rendered.Count >= RenderedKept)
        {
            _rendered.Clear();
        }

        // Still the answer later as long as none of its entries has left the asked time span.
        _rendered[(count, type)] = new Rendered(answer, matching.Count == 0 ? long.MaxValue : matching[^1].DateMs);
        return answer;
    }

    private bool HasDate(long dateMs)
    {
        var index = Search(dateMs, "");
        var at = index < 0 ? ~index : index;
        return at < _entries.Count && _entries[at]!.DateMs == dateMs;
    }

    private void Insert(WindowEntry entry)
    {
        _byObjectId[entry.ObjectId] = entry;
        if (Count == 0 || Compare(_entries[^1]!, entry.DateMs, entry.ObjectId) < 0)
        {
            _entries.Add(entry);
            return;
        }

        var index = Search(entry.DateMs, entry.ObjectId);
        _entries.Insert(index < 0 ? ~index : index, entry);
    }

    private void Remove(string objectId)
    {
        if (!_byObjectId.Remove(objectId, out var entry))
        {
            return;
        }

        var index = Search(entry.DateMs, entry.ObjectId);
        if (index == _head)
        {
            _entries[_head++] = null;
        }
        else if (index > _head)
        {
            _entries.RemoveAt(index);
        }
    }

    // The oldest leave once the window holds more than a day and more than the minimum, or more than the capacity.
    private void Trim(DateTimeOffset now)
    {
        var dayAgo = (now - Span).ToUnixTimeMilliseconds();
        while (Count > Capacity || (Count > MinimumCount && _entries[_head]!.DateMs < dayAgo))
        {
            DropOldest();
        }

        if (_head > 64 && _head > _entries.Count / 2)
        {
            _entries.RemoveRange(0, _head);
            _head = 0;
        }
    }

    // Entries sharing the dropped one's date go with it: the floor promises all of a date or none.
    private void DropOldest()
    {
        var dropped = _entries[_head]!;
        Floor = dropped.DateMs + 1;
        while (Count > 0 && _entries[_head]!.DateMs < Floor)
        {
            _byObjectId.Remove(_entries[_head]!.ObjectId);
            _entries[_head++] = null;
        }
    }

    // Binary search over the live part by (date, _id); the complement of the insertion point when absent.
    private int Search(long dateMs, string objectId)
    {
        int low = _head, high = _entries.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = Compare(_entries[middle]!, dateMs, objectId);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    private static int Compare(WindowEntry entry, long dateMs, string objectId)
    {
        var byDate = entry.DateMs.CompareTo(dateMs);
        return byDate != 0 ? byDate : string.CompareOrdinal(entry.ObjectId, objectId);
    }

    private sealed record Rendered(RecentEntries Answer, long OldestMs);

    private sealed record WindowEntry(string Identifier, string ObjectId, long DateMs, string? Type, byte[] Json)
    {
        public static WindowEntry From(StoredDocument document) =>
            new(document.Identifier, document.ObjectId, document.DateMs, document.Type,
                Encoding.UTF8.GetBytes(EntryShape.FillType(document.ToV1Json()).ToJsonString()));

        public StoredDocument ToDocument()
        {
            var json = (JsonObject)JsonNode.Parse(Json)!;
            json.Remove("_id");
            return new StoredDocument(Identifier, ObjectId, DateMs, Type, 0, 0, true, json);
        }
    }
}
