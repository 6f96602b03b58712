using System.Text;
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

    // The v1 response in input order: each document as given (after the rules) and whether it reports its _id.
    private readonly List<(JsonObject Doc, string ObjectId, bool ReportId)> _answers = [];

    // Each document's text, written once: an inserted document is stored as it is answered.
    private readonly Dictionary<JsonObject, string> _texts = new(ReferenceEqualityComparer.Instance);

    public void Apply(IReadOnlyList<PreparedDocument> prepared)
    {
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
            _answers.Add((document.Doc, stored.ObjectId, reportId));
        }
    }

    /// <summary>
    /// The v1 response, as the documents were when applied (call it before anything else reads
    /// them): each document's fields, then <c>_id</c> where reported, as JSON text.
    /// </summary>
    public string Response()
    {
        var response = new StringBuilder(2 + _answers.Sum(a => Text(a.Doc).Length + 40));
        response.Append('[');
        foreach (var (doc, objectId, reportId) in _answers)
        {
            if (response.Length > 1)
            {
                response.Append(',');
            }

            if (!reportId)
            {
                response.Append(Text(doc));
            }
            else if (doc.Count > 0 && !doc.ContainsKey("_id") && ObjectIds.IsValid(objectId))
            {
                // The same text as the document with _id added last; a 24-hex id needs no escaping.
                var text = Text(doc);
                response.Append(text, 0, text.Length - 1).Append(",\"_id\":\"").Append(objectId).Append("\"}");
            }
            else
            {
                var item = (JsonObject)doc.DeepClone();
                item["_id"] = objectId;
                response.Append(item.ToJsonString());
            }
        }

        return response.Append(']').ToString();
    }

    /// <summary>The stored text of each written document, in the order of <see cref="Inserts"/> then <see cref="Updates"/>.</summary>
    public IReadOnlyList<string> WrittenTexts() => Written.Select(d => Text(d.Doc)).ToList();

    private string Text(JsonObject doc)
    {
        if (!_texts.TryGetValue(doc, out var text))
        {
            text = doc.ToJsonString();
            _texts[doc] = text;
        }

        return text;
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
