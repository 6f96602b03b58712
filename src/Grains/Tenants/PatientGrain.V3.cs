using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Tenants;

// API v3 writes, with the reference's semantics (lib/api3/generic/*): the decisions are
// V3WriteRules'; this grain reads what they need, stays the single writer and commits.
public sealed partial class PatientGrain
{
    public async Task<ChangeResult<V3Written>> V3CreateAsync(Collection collection, string documentJson, V3Caller caller)
    {
        var (doc, refused) = await ReadDatedBodyAsync(documentJson);
        if (doc is null)
        {
            return refused!;
        }

        var identifier = V3Rules.Identifier(doc);
        var existing = await documents.FindForV3Async(collection, SiteId, identifier, V3Rules.FallbackKey(collection, doc));
        if (existing is null)
        {
            return V3WriteRules.RefuseCreate(collection, caller) ?? await InsertV3Async(collection, doc, identifier, caller);
        }

        if (V3WriteRules.RefuseReplace(collection, existing, doc, identifier, caller) is { } replaceRefused)
        {
            return replaceRefused;
        }

        var written = await ReplaceV3Async(collection, existing, doc, identifier, caller.Subject);
        return ChangeResult<V3Written>.Ok(new V3Written(identifier, written.SrvModified, Created: false, IsDeduplication: true,
            existing.Identifier != identifier ? existing.Identifier : null));
    }

    public async Task<ChangeResult<V3Written>> V3ReplaceAsync(Collection collection, string identifier, string documentJson, V3Caller caller, long? ifUnmodifiedSince)
    {
        var (doc, refused) = await ReadDatedBodyAsync(documentJson);
        if (doc is null)
        {
            return refused!;
        }

        // The identifier is the URL's; one in the body is ignored.
        doc.Remove("identifier");
        var existing = await documents.FindForV3Async(collection, SiteId, identifier, null);
        if (existing is null)
        {
            return V3WriteRules.RefuseCreate(collection, caller) ?? await InsertV3Async(collection, doc, identifier, caller);
        }

        if ((V3WriteRules.RefuseUpdateOf(existing, ifUnmodifiedSince) ?? V3WriteRules.RefuseReplace(collection, existing, doc, existing.Identifier, caller)) is { } replaceRefused)
        {
            return replaceRefused;
        }

        var written = await ReplaceV3Async(collection, existing, doc, existing.Identifier, caller.Subject);
        return ChangeResult<V3Written>.Ok(new V3Written(written.Identifier, written.SrvModified, Created: false));
    }

    public async Task<ChangeResult<V3Written>> V3PatchAsync(Collection collection, string identifier, string documentJson, V3Caller caller, long? ifUnmodifiedSince)
    {
        if (await ServingSiteAsync() is null)
        {
            return V3WriteRules.NotFound();
        }

        var (patch, refused) = V3WriteRules.ParseBody(documentJson);
        if (patch is null)
        {
            return refused!;
        }

        var existing = await documents.FindForV3Async(collection, SiteId, identifier, null);
        if (existing is null)
        {
            return V3WriteRules.NotFound();
        }

        if ((V3WriteRules.RefuseUpdateOf(existing, ifUnmodifiedSince) ?? V3WriteRules.RefusePatch(existing, patch)) is { } patchRefused)
        {
            return patchRefused;
        }

        var merged = V3WriteRules.Merge(collection, existing, patch, caller.Subject);
        var now = time.GetUtcNow();
        var written = existing with { Doc = merged, SrvModified = NextClock(now), Type = TypeOf(collection, merged, existing.Type) };
        await documents.WriteOneAsync(collection, SiteId, written, null);
        await ApplyChangeAsync(DocumentChange.Wrote(collection, [written]), now);
        return ChangeResult<V3Written>.Ok(new V3Written(written.Identifier, written.SrvModified, Created: false, DocumentJson: V3Rules.V3Json(written).ToJsonString()));
    }

    public async Task<ChangeResult<V3Written>> V3DeleteAsync(Collection collection, string identifier, bool permanent, string? subject)
    {
        if (await ServingSiteAsync() is null)
        {
            return V3WriteRules.NotFound();
        }

        var existing = await documents.FindForV3Async(collection, SiteId, identifier, null);
        if (existing is null)
        {
            return V3WriteRules.NotFound();
        }

        if (V3WriteRules.RefuseDelete(existing) is { } deleteRefused)
        {
            return deleteRefused;
        }

        var now = time.GetUtcNow();
        if (permanent)
        {
            var clock = NextClock(now);
            await documents.DeleteByIdentifierAsync(collection, SiteId, existing.Identifier, clock);
            await ApplyChangeAsync(DocumentChange.Removed(collection, [existing.ObjectId], clock), now);
            return ChangeResult<V3Written>.Ok(new V3Written(existing.Identifier, null, Created: false));
        }

        var doc = (JsonObject)existing.Doc.DeepClone();
        if (subject is not null)
        {
            doc["modifiedBy"] = subject;
        }

        var deleted = existing with { Doc = doc, IsValid = false, SrvModified = NextClock(now) };
        await documents.WriteOneAsync(collection, SiteId, deleted, null);
        await ApplyChangeAsync(DocumentChange.Wrote(collection, [deleted]), now);
        return ChangeResult<V3Written>.Ok(new V3Written(deleted.Identifier, deleted.SrvModified, Created: false));
    }

    // Create and PUT: a site that serves data, one object as the body, with a date the reference can read.
    private async Task<(JsonObject? Doc, ChangeResult<V3Written>? Refused)> ReadDatedBodyAsync(string documentJson)
    {
        if (await ServingSiteAsync() is null)
        {
            return (null, V3WriteRules.NotFound());
        }

        var (doc, refused) = V3WriteRules.ParseBody(documentJson);
        if (doc is null)
        {
            return (null, refused);
        }

        return V3WriteRules.RefuseDate(doc) is { } badDate ? (null, badDate) : (doc, null);
    }

    private async Task<ChangeResult<V3Written>> InsertV3Async(Collection collection, JsonObject doc, string identifier, V3Caller caller)
    {
        if (V3WriteRules.RefuseInsert(doc, identifier) is { } invalid)
        {
            return invalid;
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
        return ChangeResult<V3Written>.Ok(new V3Written(identifier, clock, Created: true));
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
