using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// One patient's documents, keyed by the site id: their single writer and the live window
/// derived from them. Writes run one at a time; reads are <see cref="AlwaysInterleaveAttribute"/>
/// so that they never queue behind a write awaiting PostgreSQL (they see the state of the last
/// committed change). Site lifecycle and authentication live in <see cref="ISiteAccessGrain"/>.
/// </summary>
[Alias("nocturne.IPatientGrain")]
public partial interface IPatientGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates, deduplicates and stores documents (a JSON array of objects) in one transaction,
    /// assigning srvModified; returns once they are durable. Its value is the JSON array the v1 API
    /// answers, in input order; when refused nothing was stored.
    /// </summary>
    [Alias("WriteDocuments")]
    Task<Authorization.ChangeResult<string>> WriteDocumentsAsync(Documents.Collection collection, string documentsJson, Documents.WriteMode mode);

    /// <summary>Deletes documents by their v1 _id; returns how many were removed.</summary>
    [Alias("DeleteDocuments")]
    Task<int> DeleteDocumentsAsync(Documents.Collection collection, IReadOnlyList<string> objectIds);

    /// <summary>
    /// The newest entries from the live window (newest first), or null when the window
    /// cannot answer (more asked than it holds, or it is not complete for that span).
    /// </summary>
    [Alias("GetRecentEntries"), AlwaysInterleave]
    Task<Documents.RecentEntries?> GetRecentEntriesAsync(int count, string? type);

    /// <summary>v3 create: parseDate, identifier, dedup (identifier, _id, then the collection's fallback keys).</summary>
    [Alias("V3Create")]
    Task<Authorization.ChangeResult<Documents.V3Written>> V3CreateAsync(Documents.Collection collection, string documentJson, Documents.V3Caller caller);

    /// <summary>v3 PUT: replace the document with this identifier, or create it.</summary>
    [Alias("V3Replace")]
    Task<Authorization.ChangeResult<Documents.V3Written>> V3ReplaceAsync(Documents.Collection collection, string identifier, string documentJson, Documents.V3Caller caller, long? ifUnmodifiedSince);

    /// <summary>v3 PATCH: merge fields into the document with this identifier.</summary>
    [Alias("V3Patch")]
    Task<Authorization.ChangeResult<Documents.V3Written>> V3PatchAsync(Documents.Collection collection, string identifier, string documentJson, Documents.V3Caller caller, long? ifUnmodifiedSince);

    /// <summary>v3 DELETE: soft delete (isValid=false, srvModified bumped), or remove for good.</summary>
    [Alias("V3Delete")]
    Task<Authorization.ChangeResult<Documents.V3Written>> V3DeleteAsync(Documents.Collection collection, string identifier, bool permanent, string? subject);

    /// <summary>
    /// The /api/v2/properties object (JSON) computed from the live state as of now, <c>iob</c> and
    /// <c>cob</c> included; all properties when names is null.
    /// </summary>
    [Alias("GetProperties"), AlwaysInterleave]
    Task<string?> GetPropertiesAsync(IReadOnlyList<string>? names);

    /// <summary>What the loop reads from the live window; null for an unknown or disabled site.</summary>
    [Alias("GetLoopSnapshot"), AlwaysInterleave]
    Task<Oref.LoopSnapshot?> GetLoopSnapshotAsync();

    /// <summary>
    /// The site's access grain tells of a change to the site (created, settings, enabled or
    /// disabled; null: deleted) before it answers the change, so that the patient grain need not
    /// ask it on every read.
    /// </summary>
    [Alias("SiteChanged"), AlwaysInterleave]
    Task SiteChangedAsync(SiteState? site);

    /// <summary>
    /// The site's push grain has its first follower (a silo relay or a clinic): committed changes are
    /// published to it again from now on. Sent and awaited before the follower's subscription is
    /// answered, so that a follower never reads its first data before the writer knows of it.
    /// </summary>
    [Alias("Followed")]
    Task FollowedAsync();

    /// <summary>
    /// The push grain had nobody to deliver a change to: publishing stops until <see cref="FollowedAsync"/>,
    /// unless a follower came since the change was published (its <paramref name="followGeneration"/> is older).
    /// </summary>
    [Alias("Unfollowed"), OneWay]
    Task UnfollowedAsync(long followGeneration);

    /// <summary>Newest srvModified per collection name (only collections with documents).</summary>
    [Alias("GetLastModified"), AlwaysInterleave]
    Task<IReadOnlyDictionary<string, long>> GetLastModifiedAsync();
}
