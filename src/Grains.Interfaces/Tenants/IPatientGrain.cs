using Nocturne.Grains.Interfaces.Authorization;
using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// One patient: one Nightscout site, one tenant, keyed by the site id. It holds the site's
/// live state (settings, credentials, subjects, roles) and is the only writer of its rows.
/// Reads are <see cref="ReadOnlyAttribute"/> so that they never queue behind a write.
/// </summary>
[Alias("nocturne.IPatientGrain")]
public partial interface IPatientGrain : IGrainWithStringKey
{
    /// <summary>Creates the site. With <paramref name="overwrite"/> an existing site gets the new settings and secret.</summary>
    [Alias("Provision")]
    Task<ChangeResult<SiteSummary>> ProvisionAsync(SiteProvisioning provisioning, bool overwrite);

    [Alias("GetSummary"), ReadOnly]
    Task<SiteSummary?> GetSummaryAsync();

    /// <summary>The site's settings; null when the site does not exist or is disabled.</summary>
    [Alias("GetSettings"), ReadOnly]
    Task<SiteSettings?> GetSettingsAsync();

    /// <summary>Replaces the settings; false when they were identical or the site does not exist.</summary>
    [Alias("ConfigureSettings")]
    Task<bool> ConfigureSettingsAsync(SiteSettings settings);

    [Alias("SetEnabled")]
    Task<bool> SetEnabledAsync(bool enabled);

    /// <summary>Deletes the site and all of its data in every table, then deactivates.</summary>
    [Alias("DeleteAllData")]
    Task<bool> DeleteAllDataAsync();

    [Alias("Authenticate"), ReadOnly]
    Task<AccessGrant> AuthenticateAsync(Credentials credentials);

    /// <summary>Exchanges an access token for a JWT; null when the token is unknown.</summary>
    [Alias("IssueJwt"), ReadOnly]
    Task<IssuedJwt?> IssueJwtAsync(string accessToken);

    [Alias("GetSubjects"), ReadOnly]
    Task<IReadOnlyList<AuthSubject>> GetSubjectsAsync();

    [Alias("CreateSubject")]
    Task<ChangeResult<SubjectCreated>> CreateSubjectAsync(string name, IReadOnlyList<string> roles, string? notes);

    [Alias("UpdateSubject")]
    Task<ChangeResult<AuthSubject>> UpdateSubjectAsync(string id, string name, IReadOnlyList<string> roles, string? notes);

    [Alias("DeleteSubject")]
    Task<ChangeResult<AuthSubject>> DeleteSubjectAsync(string id);

    [Alias("GetRoles"), ReadOnly]
    Task<IReadOnlyList<AuthRole>> GetRolesAsync();

    /// <summary>Creates a role (no id) or updates one; built-in roles are overridden by a stored role of the same name.</summary>
    [Alias("SaveRole")]
    Task<ChangeResult<AuthRole>> SaveRoleAsync(string? id, string name, IReadOnlyList<string> permissions, string? notes);

    [Alias("DeleteRole")]
    Task<ChangeResult<AuthRole>> DeleteRoleAsync(string id);

    /// <summary>
    /// Validates, deduplicates and stores documents (a JSON array of objects) in one transaction,
    /// assigning srvModified; returns once they are durable.
    /// </summary>
    [Alias("WriteDocuments")]
    Task<Documents.WriteOutcome> WriteDocumentsAsync(Documents.Collection collection, string documentsJson, Documents.WriteMode mode);

    /// <summary>Deletes documents by their v1 _id; returns how many were removed.</summary>
    [Alias("DeleteDocuments")]
    Task<int> DeleteDocumentsAsync(Documents.Collection collection, IReadOnlyList<string> objectIds);

    /// <summary>
    /// The newest entries from the live window (newest first), or null when the window
    /// cannot answer (more asked than it holds, or it is not complete for that span).
    /// </summary>
    [Alias("GetRecentEntries"), ReadOnly]
    Task<Documents.RecentEntries?> GetRecentEntriesAsync(int count, string? type);

    /// <summary>v3 create: parseDate, identifier, dedup (identifier, _id, then the collection's fallback keys).</summary>
    [Alias("V3Create")]
    Task<Documents.V3WriteResult> V3CreateAsync(Documents.Collection collection, string documentJson, Documents.V3Caller caller);

    /// <summary>v3 PUT: replace the document with this identifier, or create it.</summary>
    [Alias("V3Replace")]
    Task<Documents.V3WriteResult> V3ReplaceAsync(Documents.Collection collection, string identifier, string documentJson, Documents.V3Caller caller, long? ifUnmodifiedSince);

    /// <summary>v3 PATCH: merge fields into the document with this identifier.</summary>
    [Alias("V3Patch")]
    Task<Documents.V3WriteResult> V3PatchAsync(Documents.Collection collection, string identifier, string documentJson, Documents.V3Caller caller, long? ifUnmodifiedSince);

    /// <summary>v3 DELETE: soft delete (isValid=false, srvModified bumped), or remove for good.</summary>
    [Alias("V3Delete")]
    Task<Documents.V3WriteResult> V3DeleteAsync(Documents.Collection collection, string identifier, bool permanent, string? subject);

    /// <summary>The /api/v2/properties object (JSON) computed from the live state; all properties when names is null.</summary>
    [Alias("GetProperties"), ReadOnly]
    Task<string?> GetPropertiesAsync(IReadOnlyList<string>? names);

    /// <summary>
    /// Runs the OpenAPS loop (oref: autosens, IOB, COB, determine-basal) over the site's last 24
    /// hours of treatments and readings and its current profile. Null for an unknown or disabled site.
    /// </summary>
    [Alias("SuggestTemp"), ReadOnly]
    Task<Oref.OrefLoopOutcome?> SuggestAsync(bool microBolusAllowed);

    /// <summary>Newest srvModified per collection name (only collections with documents).</summary>
    [Alias("GetLastModified"), ReadOnly]
    Task<IReadOnlyDictionary<string, long>> GetLastModifiedAsync();
}
