using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// The decisions of v3 writes (lib/api3/generic of the reference), in its order, over the request
/// and what is stored: no I/O, no HTTP. A refusal is a <see cref="ChangeResult{T}"/> in domain terms;
/// null means the write may go ahead.
/// </summary>
public static class V3WriteRules
{
    private const string BadBody = "Bad or missing request body";
    private const string BadDate = "Bad or missing date field";
    private const string ReadOnlyDocument = "Trying to modify read-only document";

    /// <summary>The body as one non-empty object, or the reference's refusal.</summary>
    public static (JsonObject? Doc, ChangeResult<V3Written>? Refused) ParseBody(string json)
    {
        try
        {
            return JsonNode.Parse(json) switch
            {
                JsonObject { Count: > 0 } doc => (doc, null),
                JsonArray { Count: > 0 } => (null, Refuse(ChangeStatus.Invalid, BadDate)),
                _ => (null, Refuse(ChangeStatus.Invalid, BadBody)),
            };
        }
        catch (JsonException)
        {
            return (null, Refuse(ChangeStatus.Invalid, BadBody));
        }
    }

    /// <summary>Create and PUT parse the document's date first.</summary>
    public static ChangeResult<V3Written>? RefuseDate(JsonObject doc) => V3Rules.ParseDate(doc) ? null : Refuse(ChangeStatus.Invalid, BadDate);

    /// <summary>Creating a document that is not stored yet needs the create permission.</summary>
    public static ChangeResult<V3Written>? RefuseCreate(Collection collection, V3Caller caller) =>
        caller.CanCreate ? null : Refuse(ChangeStatus.Forbidden, $"Missing permission api:{CollectionNames.Of(collection)}:create");

    /// <summary>A new document must be valid as the reference validates it.</summary>
    public static ChangeResult<V3Written>? RefuseInsert(JsonObject doc, string identifier) =>
        V3Rules.Validate(doc, identifier) is { } invalid ? Refuse(ChangeStatus.Invalid, invalid) : null;

    /// <summary>
    /// Replacing a stored document (dedup POST or PUT): update permission, not read-only,
    /// immutable fields unchanged, and a valid result.
    /// </summary>
    public static ChangeResult<V3Written>? RefuseReplace(Collection collection, StoredDocument existing, JsonObject doc, string identifier, V3Caller caller)
    {
        if (!caller.CanUpdate)
        {
            return Refuse(ChangeStatus.Forbidden, $"Missing permission api:{CollectionNames.Of(collection)}:update");
        }

        if (V3Rules.IsReadOnly(existing))
        {
            return Refuse(ChangeStatus.Unprocessable, ReadOnlyDocument);
        }

        if (V3Rules.ImmutableViolation(doc, existing, ignoreIdentifier: true) is { } immutable)
        {
            return Refuse(ChangeStatus.Invalid, immutable);
        }

        return RefuseInsert(doc, identifier);
    }

    /// <summary>PUT and PATCH of a stored document: not deleted, and not changed since the client's If-Unmodified-Since (whole seconds).</summary>
    public static ChangeResult<V3Written>? RefuseUpdateOf(StoredDocument existing, long? ifUnmodifiedSince)
    {
        if (!existing.IsValid)
        {
            return Refuse(ChangeStatus.Gone, null);
        }

        return ifUnmodifiedSince is { } since && existing.SrvModified / 1000 > since / 1000 ? Refuse(ChangeStatus.PreconditionFailed, null) : null;
    }

    /// <summary>PATCH: not read-only, and no immutable field changed (the identifier included).</summary>
    public static ChangeResult<V3Written>? RefusePatch(StoredDocument existing, JsonObject patch)
    {
        if (V3Rules.IsReadOnly(existing))
        {
            return Refuse(ChangeStatus.Unprocessable, ReadOnlyDocument);
        }

        return V3Rules.ImmutableViolation(patch, existing, ignoreIdentifier: false) is { } immutable ? Refuse(ChangeStatus.Invalid, immutable) : null;
    }

    /// <summary>DELETE (soft or permanent): a read-only document stays.</summary>
    public static ChangeResult<V3Written>? RefuseDelete(StoredDocument existing) =>
        V3Rules.IsReadOnly(existing) ? Refuse(ChangeStatus.Unprocessable, ReadOnlyDocument) : null;

    /// <summary>The stored document with the patch's client fields merged in, marked with who modified it.</summary>
    public static JsonObject Merge(Collection collection, StoredDocument existing, JsonObject patch, string? subject)
    {
        var merged = (JsonObject)existing.Doc.DeepClone();
        foreach (var (key, value) in patch)
        {
            if (!V3Rules.ServerFields.Contains(key))
            {
                merged[key] = value?.DeepClone();
            }
        }

        if (subject is not null)
        {
            merged["modifiedBy"] = subject;
        }

        V3Rules.ApplyDuration(collection, merged);
        return merged;
    }

    public static ChangeResult<V3Written> NotFound() => Refuse(ChangeStatus.NotFound, null);

    private static ChangeResult<V3Written> Refuse(ChangeStatus status, string? message) => ChangeResult<V3Written>.Fail(status, message);
}
