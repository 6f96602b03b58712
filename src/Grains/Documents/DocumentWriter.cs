using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Decides, for one batch, which prepared documents insert and which update an existing one,
/// following each collection's dedup key, and builds the v1 response in input order.
/// </summary>
public sealed class DocumentWriter(Collection collection, WriteMode mode, Func<long> clock, Func<string> newObjectId)
{
    private readonly Dictionary<string, StoredDocument> _byIdentifier = [];
    private readonly Dictionary<string, StoredDocument> _byObjectId = [];
    private readonly Dictionary<(long, string?), StoredDocument> _byTimeAndType = [];
    private readonly Dictionary<string, StoredDocument> _inserts = [];
    private readonly Dictionary<string, StoredDocument> _updates = [];

    public IReadOnlyList<StoredDocument> Inserts => _inserts.Values.ToList();

    public IReadOnlyList<StoredDocument> Updates => _updates.Values.ToList();

    public IEnumerable<StoredDocument> Written => _inserts.Values.Concat(_updates.Values);

    public void Know(IEnumerable<StoredDocument> existing)
    {
        foreach (var document in existing)
        {
            Index(document);
        }
    }

    public JsonArray Apply(IReadOnlyList<PreparedDocument> prepared)
    {
        var response = new JsonArray();
        foreach (var document in prepared)
        {
            var (match, reportId) = FindMatch(document);
            var now = clock();
            StoredDocument stored;
            if (match is null)
            {
                var objectId = document.ObjectId ?? newObjectId();
                stored = new StoredDocument(document.Identifier ?? objectId, objectId, document.DateMs, document.Type, now, now, true, document.Doc);
                _inserts[stored.Identifier] = stored;
                reportId = true;
            }
            else
            {
                // Entries merge ($set); everything else is replaced whole.
                var doc = collection == Collection.Entries ? Merge(match.Doc, document.Doc) : document.Doc;
                stored = match with { DateMs = document.DateMs, Type = document.Type, SrvModified = now, IsValid = true, Doc = doc };
                if (_inserts.ContainsKey(stored.Identifier))
                {
                    _inserts[stored.Identifier] = stored;
                }
                else
                {
                    _updates[stored.Identifier] = stored;
                }
            }

            Index(stored);
            var item = (JsonObject)document.Doc.DeepClone();
            if (reportId)
            {
                item["_id"] = stored.ObjectId;
            }

            response.Add(item);
        }

        return response;
    }

    // The reference reports _id for inserts and for identifier matches, not for key duplicates.
    private (StoredDocument? Match, bool ReportId) FindMatch(PreparedDocument document)
    {
        if (document.Identifier is not null && _byIdentifier.TryGetValue(document.Identifier, out var byIdentifier))
        {
            return (byIdentifier, true);
        }

        if (document.ObjectId is not null && _byObjectId.TryGetValue(document.ObjectId, out var byObjectId))
        {
            return (byObjectId, true);
        }

        var keyed = collection switch
        {
            Collection.Entries => true,
            Collection.Treatments => true,
            _ => false,
        };
        if (keyed && (mode == WriteMode.Create || collection == Collection.Treatments)
            && _byTimeAndType.TryGetValue((document.DateMs, document.Type), out var byKey))
        {
            return (byKey, false);
        }

        return (null, false);
    }

    private void Index(StoredDocument document)
    {
        _byIdentifier[document.Identifier] = document;
        _byObjectId[document.ObjectId] = document;
        if (document.IsValid)
        {
            _byTimeAndType[(document.DateMs, document.Type)] = document;
        }
    }

    private static JsonObject Merge(JsonObject existing, JsonObject update)
    {
        var merged = (JsonObject)existing.DeepClone();
        foreach (var (key, value) in update)
        {
            merged[key] = value?.DeepClone();
        }

        return merged;
    }
}
