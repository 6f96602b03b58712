using System.Text;
using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

/// <summary>
/// The last 24 hours of a site's valid entries, newest first, kept by its grain so that the
/// every-5-minutes reads (entries.json, entries/current, properties) never touch PostgreSQL.
/// Entries are kept as their finished v1 JSON in UTF-8 (a few hundred bytes each) rather than as
/// JSON trees, so a thousand active sites stay cheap. Bounded: 1-minute sensors give 1,440 a day;
/// the cap leaves room for several devices.
/// </summary>
public sealed class EntryWindow
{
    public static readonly TimeSpan Span = TimeSpan.FromHours(24);
    public const int Capacity = 5000;

    private List<WindowEntry> _entries = [];

    /// <summary>True when the window holds every entry of the last 24 h (false if it overflowed).</summary>
    public bool Complete { get; private set; } = true;

    public int Count => _entries.Count;

    public void Load(List<StoredDocument> newestFirst, bool complete)
    {
        _entries = newestFirst.Select(WindowEntry.From).ToList();
        Complete = complete;
    }

    public void Apply(IEnumerable<StoredDocument> written, IReadOnlyCollection<string> deletedObjectIds, DateTimeOffset now)
    {
        var cutoff = (now - Span).ToUnixTimeMilliseconds();
        // Keyed by _id, which never changes: a v3 dedup may give a document a new identifier.
        var byObjectId = _entries.Where(e => !deletedObjectIds.Contains(e.ObjectId)).ToDictionary(e => e.ObjectId);
        foreach (var document in written)
        {
            if (document.IsValid && document.DateMs >= cutoff)
            {
                byObjectId[document.ObjectId] = WindowEntry.From(document);
            }
            else
            {
                byObjectId.Remove(document.ObjectId);
            }
        }

        var ordered = byObjectId.Values.Where(e => e.DateMs >= cutoff).OrderByDescending(e => e.DateMs).ToList();
        if (ordered.Count > Capacity)
        {
            ordered.RemoveRange(Capacity, ordered.Count - Capacity);
            Complete = false;
        }

        _entries = ordered;
    }

    /// <summary>Entries of a type at or after a time, newest first, as documents (for the few that properties need).</summary>
    public IEnumerable<StoredDocument> Since(long sinceMs, string type) =>
        _entries.TakeWhile(e => e.DateMs >= sinceMs).Where(e => e.Type == type).Select(e => e.ToDocument());

    /// <summary>
    /// The newest <paramref name="count"/> entries (of a type) as a JSON array, or null when the
    /// window cannot be sure it has them all.
    /// </summary>
    public Interfaces.Documents.RecentEntries? Newest(int count, string? type, DateTimeOffset now)
    {
        var cutoff = (now - Span).ToUnixTimeMilliseconds();
        var matching = _entries.Where(e => e.DateMs >= cutoff && (type is null || e.Type == type)).Take(count).ToList();
        // Fewer than asked means older ones may exist outside the window: let PostgreSQL answer.
        if (matching.Count != count || !Complete)
        {
            return null;
        }

        var builder = new StringBuilder(matching.Sum(e => e.Json.Length) + matching.Count + 2).Append('[');
        for (var i = 0; i < matching.Count; i++)
        {
            builder.Append(i == 0 ? "" : ",").Append(Encoding.UTF8.GetString(matching[i].Json));
        }

        return new Interfaces.Documents.RecentEntries(builder.Append(']').ToString(), matching.Count == 0 ? null : matching[0].DateMs);
    }

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
