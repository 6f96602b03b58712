using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Tenants;

// API v3 writes, with the reference's semantics (lib/api3/generic/*): this grain stays the single writer.
public sealed partial class PatientGrain
{
    public async Task<V3WriteResult> V3CreateAsync(Collection collection, string documentJson, V3Caller caller)
    {
        if (await ServingSiteAsync() is null)
        {
            return V3WriteResult.Error(404);
        }

        switch (ParseBody(documentJson))
        {
            case (null, { } error):
                return error;
            case ({ } doc, _):
                if (!V3Rules.ParseDate(doc))
                {
                    return V3WriteResult.Error(400, "Bad or missing date field");
                }

                var identifier = V3Rules.Identifier(doc);
                var existing = await documents.FindForV3Async(collection, SiteId, identifier, V3Rules.FallbackKey(collection, doc));
                if (existing is null)
                {
                    if (!caller.CanCreate)
                    {
                        return V3WriteResult.Error(403, $"Missing permission api:{CollectionNames.Of(collection)}:create");
                    }

                    return await InsertV3Async(collection, doc, identifier, caller, status: 201);
                }

                if (RefuseReplace(collection, existing, doc, identifier, caller) is { } refused)
                {
                    return refused;
                }

                var written = await ReplaceV3Async(collection, existing, doc, identifier, caller.Subject);
                return new V3WriteResult(200, null, identifier, written.SrvModified, true,
                    existing.Identifier != identifier ? existing.Identifier : null, null);
            default:
                return V3WriteResult.Error(400, "Bad or missing request body");
        }
    }

    public async Task<V3WriteResult> V3ReplaceAsync(Collection collection, string identifier, string documentJson, V3Caller caller, long? ifUnmodifiedSince)
    {
        if (await ServingSiteAsync() is null)
        {
            return V3WriteResult.Error(404);
        }

        var (doc, error) = ParseBody(documentJson);
        if (doc is null)
        {
            return error!;
        }

        if (!V3Rules.ParseDate(doc))
        {
            return V3WriteResult.Error(400, "Bad or missing date field");
        }

        // The identifier is the URL's; one in the body is ignored.
        doc.Remove("identifier");
        var existing = await documents.FindForV3Async(collection, SiteId, identifier, null);
        if (existing is null)
        {
            if (!caller.CanCreate)
            {
                return V3WriteResult.Error(403, $"Missing permission api:{CollectionNames.Of(collection)}:create");
            }

            return await InsertV3Async(collection, doc, identifier, caller, status: 201);
        }

        if (!existing.IsValid)
        {
            return V3WriteResult.Error(410);
        }

        if (ifUnmodifiedSince is { } since && existing.SrvModified / 1000 > since / 1000)
        {
            return V3WriteResult.Error(412);
        }

        if (RefuseReplace(collection, existing, doc, existing.Identifier, caller) is { } refused)
        {
            return refused;
        }

        var written = await ReplaceV3Async(collection, existing, doc, existing.Identifier, caller.Subject);
        return new V3WriteResult(200, null, written.Identifier, written.SrvModified, false, null, null);
    }

    public async Task<V3WriteResult> V3PatchAsync(Collection collection, string identifier, string documentJson, V3Caller caller, long? ifUnmodifiedSince)
    {
        if (await ServingSiteAsync() is null)
        {
            return V3WriteResult.Error(404);
        }

        var (patch, error) = ParseBody(documentJson);
        if (patch is null)
        {
            return error!;
        }

        var existing = await documents.FindForV3Async(collection, SiteId, identifier, null);
        if (existing is null)
        {
            return V3WriteResult.Error(404);
        }

        if (!existing.IsValid)
        {
            return V3WriteResult.Error(410);
        }

        if (ifUnmodifiedSince is { } since && existing.SrvModified / 1000 > since / 1000)
        {
            return V3WriteResult.Error(412);
        }

        if (V3Rules.IsReadOnly(existing))
        {
            return V3WriteResult.Error(422, "Trying to modify read-only document");
        }

        if (V3Rules.ImmutableViolation(patch, existing, ignoreIdentifier: false) is { } immutable)
        {
            return V3WriteResult.Error(400, immutable);
        }

        var merged = (JsonObject)existing.Doc.DeepClone();
        foreach (var (key, value) in patch)
        {
            if (!V3Rules.ServerFields.Contains(key))
            {
                merged[key] = value?.DeepClone();
            }
        }

        if (caller.Subject is not null)
        {
            merged["modifiedBy"] = caller.Subject;
        }

        V3Rules.ApplyDuration(collection, merged);
        var written = existing with { Doc = merged, SrvModified = NextClock(time.GetUtcNow()), Type = TypeOf(collection, merged, existing.Type) };
        await documents.WriteOneAsync(collection, SiteId, written, null);
        await ApplyChangeAsync(DocumentChange.Wrote(collection, [written]), time.GetUtcNow());
        return new V3WriteResult(200, null, written.Identifier, written.SrvModified, false, null, V3Rules.V3Json(written).ToJsonString());
    }

    public async Task<V3WriteResult> V3DeleteAsync(Collection collection, string identifier, bool permanent, string? subject)
    {
        if (await ServingSiteAsync() is null)
        {
            return V3WriteResult.Error(404);
        }

        var existing = await documents.FindForV3Async(collection, SiteId, identifier, null);
        if (existing is null)
        {
            return V3WriteResult.Error(404);
        }

        if (V3Rules.IsReadOnly(existing))
        {
            return V3WriteResult.Error(422, "Trying to modify read-only document");
        }

        if (permanent)
        {
            var now = time.GetUtcNow();
            var clock = NextClock(now);
            await documents.DeleteByIdentifierAsync(collection, SiteId, existing.Identifier, clock);
            await ApplyChangeAsync(DocumentChange.Removed(collection, [existing.ObjectId], clock), now);
            return new V3WriteResult(200, null, existing.Identifier, null, false, null, null);
        }

        var doc = (JsonObject)existing.Doc.DeepClone();
        if (subject is not null)
        {
            doc["modifiedBy"] = subject;
        }

        var deleted = existing with { Doc = doc, IsValid = false, SrvModified = NextClock(time.GetUtcNow()) };
        await documents.WriteOneAsync(collection, SiteId, deleted, null);
        await ApplyChangeAsync(DocumentChange.Wrote(collection, [deleted]), time.GetUtcNow());
        return new V3WriteResult(200, null, deleted.Identifier, deleted.SrvModified, false, null, null);
    }

    // Replacing an existing document (dedup POST or PUT): update permission, not read-only,
    // immutable fields unchanged, and a valid result, checked in the reference's order.
    private static V3WriteResult? RefuseReplace(Collection collection, StoredDocument existing, JsonObject doc, string identifier, V3Caller caller)
    {
        if (!caller.CanUpdate)
        {
            return V3WriteResult.Error(403, $"Missing permission api:{CollectionNames.Of(collection)}:update");
        }

        if (V3Rules.IsReadOnly(existing))
        {
            return V3WriteResult.Error(422, "Trying to modify read-only document");
        }

        if (V3Rules.ImmutableViolation(doc, existing, ignoreIdentifier: true) is { } immutable)
        {
            return V3WriteResult.Error(400, immutable);
        }

        return V3Rules.Validate(doc, identifier) is { } invalid ? V3WriteResult.Error(400, invalid) : null;
    }

    private async Task<V3WriteResult> InsertV3Async(Collection collection, JsonObject doc, string identifier, V3Caller caller, int status)
    {
        if (V3Rules.Validate(doc, identifier) is { } invalid)
        {
            return V3WriteResult.Error(400, invalid);
        }

        StripServerFields(doc);
        if (caller.Subject is not null)
        {
            doc["subject"] = caller.Subject;
        }

        V3Rules.ApplyDuration(collection, doc);
        var now = time.GetUtcNow();
        var clock = NextClock(now);
        var row = new StoredDocument(identifier, ObjectIds.New(now), DateOf(collection, doc), TypeOf(collection, doc, null), clock, clock, true, doc);
        await documents.WriteOneAsync(collection, SiteId, row, null);
        await ApplyChangeAsync(DocumentChange.Wrote(collection, [row]), now);
        return new V3WriteResult(status, null, identifier, clock, false, null, null);
    }

    // A full replace keeps srvCreated and the v1 _id; the identifier may change (dedup of a v1 document).
    private async Task<StoredDocument> ReplaceV3Async(Collection collection, StoredDocument existing, JsonObject doc, string identifier, string? subject)
    {
        StripServerFields(doc);
        if (subject is not null)
        {
            doc["subject"] = subject;
        }

        V3Rules.ApplyDuration(collection, doc);
        var row = existing with
        {
            Identifier = identifier,
            DateMs = DateOf(collection, doc),
            Type = TypeOf(collection, doc, null),
            SrvModified = NextClock(time.GetUtcNow()),
            IsValid = true,
            Doc = doc,
        };
        await documents.WriteOneAsync(collection, SiteId, row, existing.Identifier);
        await ApplyChangeAsync(DocumentChange.Wrote(collection, [row]), time.GetUtcNow());
        return row;
    }

    private static (JsonObject? Doc, V3WriteResult? Error) ParseBody(string json)
    {
        try
        {
            return JsonNode.Parse(json) switch
            {
                JsonObject { Count: > 0 } doc => (doc, null),
                JsonArray { Count: > 0 } => (null, V3WriteResult.Error(400, "Bad or missing date field")),
                _ => (null, V3WriteResult.Error(400, "Bad or missing request body")),
            };
        }
        catch (JsonException)
        {
            return (null, V3WriteResult.Error(400, "Bad or missing request body"));
        }
    }

    private static void StripServerFields(JsonObject doc)
    {
        foreach (var field in V3Rules.ServerFields)
        {
            doc.Remove(field);
        }
    }

    private static long DateOf(Collection collection, JsonObject doc)
    {
        if (collection == Collection.Profile && doc["startDate"] is JsonValue start && DocumentTime.TryParse(JsonText.Of(start), out var startDate))
        {
            return startDate.ToUnixTimeMilliseconds();
        }

        return DocumentTime.TryNumber(doc["date"], out var date) ? (long)date : 0;
    }

    private static string? TypeOf(Collection collection, JsonObject doc, string? fallback)
    {
        var field = collection switch
        {
            Collection.Entries => "type",
            Collection.Treatments => "eventType",
            Collection.DeviceStatus => "device",
            _ => null,
        };
        return field is not null && doc[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : field is null ? null : fallback;
    }
}
