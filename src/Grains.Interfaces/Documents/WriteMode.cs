namespace Nocturne.Grains.Interfaces.Documents;

[GenerateSerializer]
public enum WriteMode
{
    /// <summary>v1 POST: the collection's own dedup rules (entries date+type, treatments identifier/_id/created_at+eventType, ...).</summary>
    Create,

    /// <summary>v1 PUT: replace by _id (treatments also by created_at+eventType), insert when missing.</summary>
    Replace,

    /// <summary>
    /// Connectors: store only documents not stored yet (same identifier, _id, or the collection's
    /// key, even soft-deleted); existing ones are left untouched, so a re-sync changes nothing.
    /// </summary>
    InsertMissing,

    /// <summary>
    /// Connectors whose vendor lets the user edit (diaries, pump uploads): as <see cref="InsertMissing"/>,
    /// except that a stored document with the same identifier whose content differs is replaced; an
    /// unchanged one is left untouched, so a re-sync still changes nothing.
    /// </summary>
    SyncChanges,
}
