using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Oref;

/// <summary>
/// A site's treatments of the last day in memory, for the iob and cob of /api/v2/properties:
/// read from PostgreSQL once (on first use), then kept by the patient grain's committed changes,
/// so that a properties read costs no query. It answers exactly what the query would
/// (<see cref="DocumentStore.LoadRecentAsync"/> from 24 hours back, newest first, at most
/// <see cref="Limit"/>): it holds every valid treatment dated from its load's start on. A site
/// with more than that many at load is not kept and is read from PostgreSQL each time.
/// </summary>
public sealed class RecentTreatments
{
    public const int Limit = 5000;

    // null: not loaded (or dropped); every valid treatment dated at or after _from otherwise.
    private Dictionary<string, StoredDocument>? _byObjectId;
    private long _from;
    private long _changes;

    /// <summary>The treatments dated from 24 hours before <paramref name="now"/> up to <paramref name="now"/>, newest first.</summary>
    public async Task<List<StoredDocument>> ReadAsync(DocumentStore documents, string siteId, DateTimeOffset now)
    {
        var since = (now - OrefHistory.Span).ToUnixTimeMilliseconds();
        var nowMs = now.ToUnixTimeMilliseconds();
        if (_byObjectId is null || since < _from)
        {
            // Reads interleave with writes: a change committed while the query ran may be missing from its rows.
            var changes = _changes;
            var loaded = await documents.LoadRecentAsync(Collection.Treatments, siteId, since, Limit, CancellationToken.None);
            if (loaded.Count >= Limit || changes != _changes)
            {
                _byObjectId = null;
                return loaded.Where(t => t.DateMs <= nowMs).ToList();
            }

            _byObjectId = loaded.ToDictionary(t => t.ObjectId);
            _from = since;
        }

        // What ages out is dropped as it goes, so the set stays a day's worth.
        if (_byObjectId.Values.Any(t => t.DateMs < since))
        {
            foreach (var old in _byObjectId.Values.Where(t => t.DateMs < since).ToList())
            {
                _byObjectId.Remove(old.ObjectId);
            }
        }

        _from = since;
        return _byObjectId.Values.OrderByDescending(t => t.DateMs).Take(Limit).Where(t => t.DateMs <= nowMs).ToList();
    }

    /// <summary>Follows a committed change of the site's treatments (written, soft-deleted or removed).</summary>
    public void Apply(DocumentChange change)
    {
        if (change.Collection != Collection.Treatments)
        {
            return;
        }

        _changes++;
        if (_byObjectId is null)
        {
            return;
        }

        foreach (var document in change.Written)
        {
            if (document.IsValid && document.DateMs >= _from)
            {
                _byObjectId[document.ObjectId] = document;
            }
            else
            {
                _byObjectId.Remove(document.ObjectId);
            }
        }

        foreach (var objectId in change.RemovedObjectIds)
        {
            _byObjectId.Remove(objectId);
        }

        if (_byObjectId.Count >= Limit)
        {
            // Past what the query would return: back to PostgreSQL for this site.
            _byObjectId = null;
        }
    }

    /// <summary>Forgets the kept treatments (the live state is reloaded); the next read loads them again.</summary>
    public void Clear()
    {
        _byObjectId = null;
        _changes++;
    }
}
