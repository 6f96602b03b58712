namespace Nocturne.Grains.Documents;

/// <summary>
/// The last 24 hours of a site's valid entries, newest first, kept by its grain so that the
/// every-5-minutes reads (entries.json, entries/current) never touch PostgreSQL. Bounded:
/// 1-minute sensors give 1,440 a day; the cap leaves room for duplicates of several devices.
/// </summary>
public sealed class EntryWindow
{
    public static readonly TimeSpan Span = TimeSpan.FromHours(24);
    public const int Capacity = 5000;

    private List<StoredDocument> _entries = [];

    /// <summary>True when the window holds every entry of the last 24 h (false if it overflowed).</summary>
    public bool Complete { get; private set; } = true;

    public int Count => _entries.Count;

    public void Load(List<StoredDocument> newestFirst, bool complete)
    {
        _entries = newestFirst;
        Complete = complete;
    }

    public void Apply(IEnumerable<StoredDocument> written, IReadOnlyCollection<string> deletedObjectIds, DateTimeOffset now)
    {
        var cutoff = (now - Span).ToUnixTimeMilliseconds();
        var byIdentifier = _entries.Where(e => !deletedObjectIds.Contains(e.ObjectId)).ToDictionary(e => e.Identifier);
        foreach (var document in written)
        {
            if (document.IsValid && document.DateMs >= cutoff)
            {
                byIdentifier[document.Identifier] = document;
            }
            else
            {
                byIdentifier.Remove(document.Identifier);
            }
        }

        var ordered = byIdentifier.Values.Where(e => e.DateMs >= cutoff).OrderByDescending(e => e.DateMs).ToList();
        if (ordered.Count > Capacity)
        {
            ordered.RemoveRange(Capacity, ordered.Count - Capacity);
            Complete = false;
        }

        _entries = ordered;
    }

    /// <summary>Entries of a type at or after a time, newest first.</summary>
    public IEnumerable<StoredDocument> Since(long sinceMs, string type) => _entries.TakeWhile(e => e.DateMs >= sinceMs).Where(e => e.Type == type);

    /// <summary>The newest <paramref name="count"/> entries (of a type), or null when the window cannot be sure it has them.</summary>
    public List<StoredDocument>? Newest(int count, string? type, DateTimeOffset now)
    {
        var cutoff = (now - Span).ToUnixTimeMilliseconds();
        var matching = _entries.Where(e => e.DateMs >= cutoff && (type is null || e.Type == type)).Take(count).ToList();
        // Fewer than asked means older ones may exist outside the window: let PostgreSQL answer.
        return matching.Count == count && Complete ? matching : null;
    }
}
