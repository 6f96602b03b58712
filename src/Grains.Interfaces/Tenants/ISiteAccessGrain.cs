using Nocturne.Grains.Interfaces.Authorization;
using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// Who may use a site, and the site itself: its row (settings, enabled, hashed API secret, JWT
/// signing key), subjects and roles, keyed by the site id. It is the only writer of those rows and
/// answers authentication from memory. It never calls the site's document writer
/// (<see cref="IPatientGrain"/>), so authentication never waits for an upload that awaits PostgreSQL.
/// </summary>
[Alias("nocturne.ISiteAccessGrain")]
public partial interface ISiteAccessGrain : IGrainWithStringKey
{
    /// <summary>Creates the site. With <paramref name="overwrite"/> an existing site gets the new settings and secret.</summary>
    [Alias("Provision")]
    Task<ChangeResult<SiteSummary>> ProvisionAsync(SiteProvisioning provisioning, bool overwrite);

    /// <summary>
    /// Makes the site a clinic (it holds staff and shares, never patient data); every grant it gives
    /// from then on says so. False when the site does not exist.
    /// </summary>
    [Alias("MarkClinic")]
    Task<bool> MarkClinicAsync();

    [Alias("GetSummary"), ReadOnly]
    Task<SiteSummary?> GetSummaryAsync();

    /// <summary>The site's settings; null when the site does not exist or is disabled.</summary>
    [Alias("GetSettings"), ReadOnly]
    Task<SiteSettings?> GetSettingsAsync();

    /// <summary>
    /// What the site's other grains need to know of it; null when the site does not exist. It
    /// interleaves with everything: the patient grain, activated by this grain's notice of a
    /// change, asks for it while the change awaits that notice.
    /// </summary>
    [Alias("GetState"), AlwaysInterleave]
    Task<SiteState?> GetStateAsync();

    /// <summary>Replaces the settings; false when they were identical or the site does not exist.</summary>
    [Alias("ConfigureSettings")]
    Task<bool> ConfigureSettingsAsync(SiteSettings settings);

    [Alias("SetEnabled")]
    Task<bool> SetEnabledAsync(bool enabled);

    /// <summary>Deletes the site and all of its data in every table (documents, grain state, reminders), then deactivates.</summary>
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
}
