using System.Buffers;
using System.Text;
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
/// Entries are kept compact (<see cref="CompactEntry"/>: about 20 bytes for a CGM reading instead of
/// its 200 bytes of JSON) in one byte array per window, indexed by slots ordered oldest first, so
/// that the usual write (a new newest reading) appends and the oldest age out from the head.
/// Answers are rendered on read; the rendered text of the sites read most is kept in the
/// process-wide <see cref="RenderedAnswerCache"/>, not per site.
/// </summary>
public sealed class EntryWindow
{
    public static readonly TimeSpan Span = TimeSpan.FromHours(24);

    /// <summary>Readings kept whatever their age: a day of 5-minute readings and some to spare.</summary>
    public const int MinimumCount = 400;

    /// <summary>Bounded: 1-minute sensors give 1,440 a day; the cap leaves room for several devices.</summary>
    public const int Capacity = 5000;

    /// <summary>Answers of fewer entries (current.json's one) are rendered on every read, never kept.</summary>
    private const int CachedFromCount = 16;

    /// <summary>An answer this large is rendered into a lent array (see <see cref="RecentEntries.Release"/>).</summary>
    private const int LendFromBytes = 4096;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private static long s_versions;

    // Live slots are [_head, _end), ascending by (date, _id); the oldest leave from the front without a copy.
    private Slot[] _slots = [];
    private int _head;
    private int _end;

    // Payloads, appended; removed ones are garbage until the next compaction.
    private byte[] _arena = [];
    private int _arenaEnd;
    private int _garbage;

    // Process-unique, so that a rendered answer is never taken for another state of this window.
    private long _version = Interlocked.Increment(ref s_versions);

    /// <summary>Every valid entry dated at or after this is in the window (long.MinValue: every entry of the site).</summary>
    public long Floor { get; private set; } = long.MinValue;

    public int Count => _end - _head;

    /// <summary>True when deletes left fewer than <see cref="MinimumCount"/> while older entries may exist.</summary>
    public bool NeedsRefill => Count < MinimumCount && Floor != long.MinValue;

    /// <summary>
    /// Loads the newest entries (newest first, ordered by date then _id descending), knowing that
    /// they are every valid entry dated at or after <paramref name="floor"/>.
    /// </summary>
    /// <remarks>Disposes the rows' documents.</remarks>
    public void Load(IReadOnlyList<WindowRow> newestFirst, long floor, DateTimeOffset now)
    {
        try
        {
            Changed();
            _slots = new Slot[newestFirst.Count + Slack(newestFirst.Count)];
            _head = _end = 0;
            _arena = [];
            _arenaEnd = _garbage = 0;
            Floor = floor;
            var scratch = Scratch();
            for (var i = newestFirst.Count - 1; i >= 0; i--)
            {
                var row = newestFirst[i];
                // _id is unique per site in PostgreSQL: no duplicates to skip.
                if (row.DateMs >= floor)
                {
                    CompactEntry.Encode(row, scratch, out var idHigh, out var idLow);
                    // Stored first: a compaction inside Append walks the slots up to _end.
                    var slot = Append(row.DateMs, idHigh, idLow, scratch.WrittenSpan, i + 1);
                    _slots[_end++] = slot;
                }
            }

            Trim(now);
        }
        finally
        {
            foreach (var row in newestFirst)
            {
                row.Doc.Dispose();
            }
        }
    }

    public void Apply(IEnumerable<StoredDocument> written, IReadOnlyCollection<string> deletedObjectIds, DateTimeOffset now)
    {
        Changed();
        foreach (var objectId in deletedObjectIds)
        {
            Remove(objectId);
        }

        var scratch = Scratch();
        foreach (var document in written)
        {
            // Keyed by _id, which never changes: a v3 dedup may give a document a new identifier.
            Remove(document.ObjectId);
            if (document.IsValid && document.DateMs >= Floor)
            {
                Insert(Store(document, scratch, 1));
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
        var sharedType = JsonFragments.Shared.StringId(type, add: false);
        for (var i = _end - 1; i >= _head && _slots[i].DateMs >= sinceMs; i--)
        {
            var slot = _slots[i];
            if (CompactEntry.HasType(Payload(slot), type, sharedType))
            {
                yield return CompactEntry.ToDocument(Payload(slot), slot.DateMs, slot.IdHigh, slot.IdLow);
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
        // A few entries render in less time than the shared cache's lock and bookkeeping take.
        var cached = count >= CachedFromCount;
        if (cached && RenderedAnswerCache.Shared.Get(this, _version, count, type, sinceMs) is { } answer)
        {
            return answer;
        }

        var sharedType = type is null ? -1 : JsonFragments.Shared.StringId(type, add: false);
        var output = Scratch();
        output.ResetWrittenCount();
        output.Write("["u8);
        var found = 0;
        long? newest = null;
        var oldest = long.MaxValue;
        for (var i = _end - 1; i >= _head && found < count; i--)
        {
            var slot = _slots[i];
            if (slot.DateMs < sinceMs)
            {
                break;
            }

            var payload = Payload(slot);
            if (type is null || CompactEntry.HasType(payload, type, sharedType))
            {
                if (found++ > 0)
                {
                    output.Write(","u8);
                }

                CompactEntry.Render(payload, slot.DateMs, slot.IdHigh, slot.IdLow, output);
                newest ??= slot.DateMs;
                oldest = slot.DateMs;
            }
        }

        // Fewer than asked: PostgreSQL answers (older ones may exist below the floor, and a short
        // answer would show the window's key order where PostgreSQL's has always been seen).
        if (found < count)
        {
            return null;
        }

        output.Write("]"u8);
        var rendered = output.WrittenSpan;
        if (!cached || !RenderedAnswerCache.Shared.Admits(rendered.Length))
        {
            if (rendered.Length < LendFromBytes)
            {
                return new RecentEntries(rendered.ToArray(), newest);
            }

            var rented = ArrayPool<byte>.Shared.Rent(rendered.Length);
            rendered.CopyTo(rented);
            return RecentEntries.Lent(rented, rendered.Length, newest);
        }

        answer = new RecentEntries(rendered.ToArray(), newest);
        // Still the answer later as long as none of its entries has left the asked time span.
        RenderedAnswerCache.Shared.Put(this, _version, count, type, answer, oldest);
        return answer;
    }

    private static ArrayBufferWriter<byte> Scratch() => t_scratch ??= new ArrayBufferWriter<byte>(64 * 1024);

    private static int Slack(int count) => 8 + (count / 8);

    private void Changed() => _version = Interlocked.Increment(ref s_versions);

    private ReadOnlySpan<byte> Payload(Slot slot) => _arena.AsSpan(slot.Offset);

    // Encodes the document and appends its payload to the arena (compacting or growing it first when full).
    private Slot Store(StoredDocument document, ArrayBufferWriter<byte> scratch, int expectedMore)
    {
        CompactEntry.Encode(document, scratch, out var idHigh, out var idLow);
        return Append(document.DateMs, idHigh, idLow, scratch.WrittenSpan, expectedMore);
    }

    // Appends an encoded payload to the arena (compacting or growing it first when full).
    private Slot Append(long dateMs, ulong idHigh, uint idLow, ReadOnlySpan<byte> payload, int expectedMore)
    {
        if (_arenaEnd + payload.Length > _arena.Length)
        {
            CompactOrGrow(payload.Length, expectedMore);
        }

        payload.CopyTo(_arena.AsSpan(_arenaEnd));
        var slot = new Slot(dateMs, idHigh, idLow, _arenaEnd);
        _arenaEnd += payload.Length;
        return slot;
    }

    // Garbage beyond half the arena: copy the live payloads, in slot order, into an arena sized for them and some more.
    private void CompactOrGrow(int needed, int expectedMore)
    {
        var live = _arenaEnd - _garbage;
        var size = live + needed + Math.Max(64, (live + needed) / 4);
        if (expectedMore > 1)
        {
            // A load: room for the rest at about this entry's size.
            size = Math.Max(size, _arenaEnd + (needed * (expectedMore + 1)));
        }

        if (_garbage * 2 < _arenaEnd)
        {
            size = Math.Max(size, _arena.Length + (_arena.Length / 2));
        }

        var arena = new byte[size];
        var at = 0;
        for (var i = _head; i < _end; i++)
        {
            var payload = Payload(_slots[i]);
            var length = CompactEntry.Length(payload);
            payload[..length].CopyTo(arena.AsSpan(at));
            _slots[i] = _slots[i] with { Offset = at };
            at += length;
        }

        _arena = arena;
        _arenaEnd = at;
        _garbage = 0;
    }

    private bool HasDate(long dateMs)
    {
        var index = Search(dateMs, 0, 0, "");
        var at = index < 0 ? ~index : index;
        return at < _end && _slots[at].DateMs == dateMs;
    }

    private void Insert(Slot slot)
    {
        if (_end == _slots.Length)
        {
            MakeRoom();
        }

        if (Count == 0 || Compare(_slots[_end - 1], slot.DateMs, slot.IdHigh, slot.IdLow, IsJsonId(slot) ? ObjectIdOf(slot) : null) < 0)
        {
            _slots[_end++] = slot;
            return;
        }

        var index = Search(slot.DateMs, slot.IdHigh, slot.IdLow, IsJsonId(slot) ? ObjectIdOf(slot) : null);
        var at = index < 0 ? ~index : index;
        Array.Copy(_slots, at, _slots, at + 1, _end - at);
        _slots[at] = slot;
        _end++;
    }

    // Slides the live slots to the front, or grows the array when they fill it.
    private void MakeRoom()
    {
        if (_head > 0 && _head >= Count / 8)
        {
            Array.Copy(_slots, _head, _slots, 0, Count);
            _end -= _head;
            _head = 0;
            return;
        }

        Array.Resize(ref _slots, _slots.Length + Slack(_slots.Length) + (_slots.Length / 4));
    }

    // Newest first: an update or delete is nearly always of a recent entry.
    private int Find(string objectId)
    {
        var hex = CompactEntry.TryParseHex(objectId, out var high, out var low);
        for (var i = _end - 1; i >= _head; i--)
        {
            var slot = _slots[i];
            // Every slot has its _id's numbers (0 when not hex): the arena is only read on a match or for an odd _id.
            var candidate = hex ? slot.IdHigh == high && slot.IdLow == low : slot.IdHigh == 0 && slot.IdLow == 0;
            if (candidate && (IsJsonId(slot) ? ObjectIdOf(slot) == objectId : hex))
            {
                return i;
            }
        }

        return -1;
    }

    private void Remove(string objectId)
    {
        var index = Find(objectId);
        if (index < 0)
        {
            return;
        }

        _garbage += CompactEntry.Length(Payload(_slots[index]));
        if (index == _head)
        {
            _head++;
        }
        else
        {
            Array.Copy(_slots, index + 1, _slots, index, _end - index - 1);
            _end--;
        }
    }

    // The oldest leave once the window holds more than a day and more than the minimum, or more than the capacity.
    private void Trim(DateTimeOffset now)
    {
        var dayAgo = (now - Span).ToUnixTimeMilliseconds();
        while (Count > Capacity || (Count > MinimumCount && _slots[_head].DateMs < dayAgo))
        {
            DropOldest();
        }

        // After a backfill shrank back: give the room back.
        if (_slots.Length > 64 && Count < _slots.Length / 4)
        {
            var slots = new Slot[Count + Slack(Count)];
            Array.Copy(_slots, _head, slots, 0, Count);
            _slots = slots;
            _end = Count;
            _head = 0;
            CompactOrGrow(0, 0);
        }
    }

    // Entries sharing the dropped one's date go with it: the floor promises all of a date or none.
    private void DropOldest()
    {
        Floor = _slots[_head].DateMs + 1;
        while (Count > 0 && _slots[_head].DateMs < Floor)
        {
            _garbage += CompactEntry.Length(Payload(_slots[_head]));
            _head++;
        }
    }

    private bool IsJsonId(Slot slot) => CompactEntry.IsJson(Payload(slot));

    private string ObjectIdOf(Slot slot) =>
        IsJsonId(slot) ? CompactEntry.JsonObjectId(Payload(slot)) : CompactEntry.HexId(slot.IdHigh, slot.IdLow);

    // Binary search over the live part by (date, _id); the complement of the insertion point when absent.
    // A null oddId means the _id is the hex one given as numbers ("" for a date-only search: below every _id).
    private int Search(long dateMs, ulong idHigh, uint idLow, string? oddId)
    {
        int low = _head, high = _end - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = Compare(_slots[middle], dateMs, idHigh, idLow, oddId);
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

    // Ordinal order of the _id strings: for two lowercase hex ids, the order of their numbers.
    private int Compare(Slot slot, long dateMs, ulong idHigh, uint idLow, string? oddId)
    {
        var byDate = slot.DateMs.CompareTo(dateMs);
        if (byDate != 0)
        {
            return byDate;
        }

        if (oddId is null && !IsJsonId(slot))
        {
            var byHigh = slot.IdHigh.CompareTo(idHigh);
            return byHigh != 0 ? byHigh : slot.IdLow.CompareTo(idLow);
        }

        return string.CompareOrdinal(ObjectIdOf(slot), oddId ?? CompactEntry.HexId(idHigh, idLow));
    }

    private readonly record struct Slot(long DateMs, ulong IdHigh, uint IdLow, int Offset);
}
