using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Storage;

namespace Nocturne.Grains.Tenants;

/// <summary>
/// Who may use a site, and the site's row. Loads the row, subjects and roles from PostgreSQL on
/// activation and answers authentication from memory, so a request costs no query; it calls no
/// other grain, so nothing it answers waits for a document write. A key with no site behind it
/// deactivates at once, so that a site created later is seen immediately. Its data lives in the
/// tables <c>tenants</c>, <c>auth_subjects</c> and <c>auth_roles</c> (no Orleans grain state), which
/// the patient grain used to load: an upgrade reads the same rows, so existing secrets, tokens and
/// JWT keys keep working.
/// </summary>
[GrainType("site-access")]
public sealed partial class SiteAccessGrain(TenantStore store, Clinics.ClinicStore clinics, ActivationLoadGate loads, TimeProvider time, AccessTokenCipher tokenCipher, SiteAccessNotices notices, ILogger<SiteAccessGrain> logger) : Grain, ISiteAccessGrain
{
    private TenantRecord? _tenant;
    private List<SubjectRecord> _subjects = [];
    private List<AuthRole> _customRoles = [];

    // Part of every grant, so that the guard refusing patient data on a clinic's site costs no query per write.
    private bool _isClinic;
    private Dictionary<string, SubjectRecord> _bySuffixHash = [];
    private Dictionary<string, SubjectRecord> _bySha1Hash = [];

    private string SiteId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (Storage.StorageFailures.Translate(ex) is { } translated)
        {
            // Activation failures travel to the caller like call failures: keep them serializable.
            throw translated;
        }
    }

    // This process's API keeps grants issued here for longer, trusting to hear of every change from
    // this activation: once it ends, a change goes through another activation, perhaps on another node.
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        AccessChanged();
        return Task.CompletedTask;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        (_tenant, _subjects, _customRoles, _isClinic) = await loads.LoadAsync(() => store.LoadSiteAsync(SiteId, cancellationToken), cancellationToken);
        if (_tenant is null)
        {
            return;
        }

        IndexSubjects();
    }

    public async Task<ChangeResult<SiteSummary>> ProvisionAsync(SiteProvisioning provisioning, bool overwrite)
    {
        if (provisioning.ApiSecret is { Length: < SecretHashing.MinimumApiSecretLength })
        {
            return ChangeResult<SiteSummary>.Fail(ChangeStatus.Invalid, $"API_SECRET should be at least {SecretHashing.MinimumApiSecretLength} characters");
        }

        if (_tenant is not null && !overwrite)
        {
            return ChangeResult<SiteSummary>.Fail(ChangeStatus.Conflict, $"Site '{SiteId}' already exists");
        }

        var salt = _tenant?.SecretSalt ?? SecretHashing.NewSalt();
        var secretSha1 = provisioning.ApiSecret is null ? null : SecretHashing.Hash(salt, SecretHashing.Sha1Hex(provisioning.ApiSecret));
        var secretSha512 = provisioning.ApiSecret is null ? null : SecretHashing.Hash(salt, SecretHashing.Sha512Hex(provisioning.ApiSecret));
        if (_tenant is null)
        {
            var created = new TenantRecord(SiteId, provisioning.DisplayName, true, time.GetUtcNow(), salt, secretSha1, secretSha512,
                JwtTokens.NewSigningKey(), provisioning.Settings);
            if (!await store.InsertTenantAsync(created))
            {
                // Created concurrently by another path (e.g. the CLI against another silo): load it instead of guessing.
                _tenant = await store.LoadTenantAsync(SiteId);
                AccessChanged();
                return ChangeResult<SiteSummary>.Fail(ChangeStatus.Conflict, $"Site '{SiteId}' already exists");
            }

            _tenant = created;
            AccessChanged();
            await TellPatientAsync();
            logger.LogInformation("Site {Site} created", SiteId);
        }
        else
        {
            var updated = _tenant with
            {
                DisplayName = provisioning.DisplayName,
                SecretSha1Hash = secretSha1,
                SecretSha512Hash = secretSha512,
                Settings = provisioning.Settings,
            };
            await store.UpdateTenantAsync(updated);
            _tenant = updated;
            AccessChanged();
            await TellPatientAsync();
            logger.LogInformation("Site {Site} re-provisioned", SiteId);
        }

        return ChangeResult<SiteSummary>.Ok(_tenant.ToSummary());
    }

    public async Task<bool> MarkClinicAsync()
    {
        if (_tenant is null)
        {
            ForgetIfUnknown();
            return false;
        }

        await clinics.MarkClinicAsync(SiteId);
        _isClinic = true;
        AccessChanged();
        logger.LogInformation("Site {Site} is a clinic", SiteId);
        return true;
    }

    public Task<SiteSummary?> GetSummaryAsync()
    {
        ForgetIfUnknown();
        return Task.FromResult(_tenant?.ToSummary());
    }

    public Task<SiteSettings?> GetSettingsAsync()
    {
        ForgetIfUnknown();
        return Task.FromResult(_tenant is { Enabled: true } t ? t.Settings : null);
    }

    public Task<SiteState?> GetStateAsync()
    {
        ForgetIfUnknown();
        return Task.FromResult(State());
    }

    private SiteState? State() => _tenant is { } t ? new SiteState(t.Enabled, t.Settings, Incarnation(t)) : null;

    // Grants this process's API cached for the site are dropped before the change is answered.
    private void AccessChanged() => notices.Notify(SiteId);

    // The patient grain keeps the site's state for its reads: it hears of every change before the change is answered.
    private Task TellPatientAsync() => GrainFactory.Site(SiteId).Documents.SiteChangedAsync(State());

    // The salt is drawn when the site is created and kept by re-provisioning: a deleted id created again gets another.
    private static long Incarnation(TenantRecord tenant) => BitConverter.ToInt64(SHA256.HashData(tenant.SecretSalt), 0);

    public async Task<bool> ConfigureSettingsAsync(SiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // Records compare lists by reference, so equality is decided on the stored form.
        if (_tenant is null || JsonSerializer.Serialize(_tenant.Settings) == JsonSerializer.Serialize(settings))
        {
            return false;
        }

        var updated = _tenant with { Settings = settings };
        await store.UpdateTenantAsync(updated);
        _tenant = updated;
        AccessChanged();
        await TellPatientAsync();
        logger.LogInformation("Settings of site {Site} updated", SiteId);
        return true;
    }

    public async Task<bool> SetEnabledAsync(bool enabled)
    {
        if (_tenant is null)
        {
            return false;
        }

        if (_tenant.Enabled != enabled)
        {
            var updated = _tenant with { Enabled = enabled };
            await store.UpdateTenantAsync(updated);
            _tenant = updated;
            logger.LogInformation("Site {Site} {State}", SiteId, enabled ? "enabled" : "disabled");
        }

        // Also when unchanged: a retry after a failed notice repairs it.
        AccessChanged();
        await TellPatientAsync();
        return true;
    }

    public async Task<bool> DeleteAllDataAsync()
    {
        var deleted = await store.DeleteTenantAsync(SiteId);
        _tenant = null;
        _subjects = [];
        _customRoles = [];
        _isClinic = false;
        IndexSubjects();
        AccessChanged();
        await TellPatientAsync();
        DeactivateOnIdle();
        if (deleted)
        {
            logger.LogWarning("Site {Site} and all of its data deleted", SiteId);
        }

        return deleted;
    }

    public async Task<AccessGrant> AuthenticateAsync(Credentials credentials)
    {
        if (_tenant is not { Enabled: true } tenant)
        {
            ForgetIfUnknown();
            return AccessGrant.UnknownSite;
        }

        if (credentials.IsEmpty)
        {
            return Grant(AccessOutcome.Anonymous, subject: null, viaApiSecret: false);
        }

        if (credentials.BearerJwt is { } bearer)
        {
            return await FromJwtAsync(tenant, bearer) ?? Invalid();
        }

        if (credentials.ApiSecret is { } secret)
        {
            if (SecretHashing.Matches(tenant.SecretSha1Hash, tenant.SecretSalt, secret.ToLowerInvariant())
                || SecretHashing.Matches(tenant.SecretSha512Hash, tenant.SecretSalt, secret))
            {
                return Grant(AccessOutcome.Authenticated, subject: null, viaApiSecret: true);
            }

            // Nightscout also accepts an access token (or its SHA1) in the api-secret header.
            return FindSubjectByToken(tenant, secret) is { } subject ? Grant(AccessOutcome.Authenticated, subject, false, secret) : Invalid();
        }

        var token = credentials.Token!;
        if (token.Count(c => c == '.') == 2)
        {
            return await FromJwtAsync(tenant, token) ?? Invalid();
        }

        return FindSubjectByToken(tenant, token) is { } tokenSubject ? Grant(AccessOutcome.Authenticated, tokenSubject, false, token) : Invalid();
    }

    public Task<IssuedJwt?> IssueJwtAsync(string accessToken)
    {
        if (_tenant is not { Enabled: true } tenant || FindSubjectByToken(tenant, accessToken) is not { } subject)
        {
            return Task.FromResult<IssuedJwt?>(null);
        }

        var now = time.GetUtcNow();
        var expires = now + JwtTokens.Lifetime;
        var jwt = JwtTokens.Issue(tenant.JwtKey, accessToken, now, expires);
        var grant = Grant(AccessOutcome.Authenticated, subject, false, accessToken);
        return Task.FromResult<IssuedJwt?>(new IssuedJwt(jwt, subject.Name, grant.PermissionGroups, now.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds()));
    }

    public Task<IReadOnlyList<AuthSubject>> GetSubjectsAsync() =>
        Task.FromResult<IReadOnlyList<AuthSubject>>(_subjects.Select(s => s.ToSubject() with { AccessToken = tokenCipher.Decrypt(SiteId, s.Id, s.TokenEncrypted) }).ToList());

    public async Task<ChangeResult<SubjectCreated>> CreateSubjectAsync(string name, IReadOnlyList<string> roles, string? notes)
    {
        if (_tenant is null)
        {
            return ChangeResult<SubjectCreated>.Fail(ChangeStatus.NotFound, "No such site");
        }

        if (ValidateSubject(name, roles, exceptId: null) is { } problem)
        {
            return ChangeResult<SubjectCreated>.Fail(problem.Status, problem.Message);
        }

        var token = AccessTokens.New(name);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var record = new SubjectRecord(id, name.Trim(), roles.ToList(), notes,
            AccessTokens.Prefix(token), SecretHashing.Hash(_tenant.SecretSalt, AccessTokens.Suffix(token)!),
            SecretHashing.Hash(_tenant.SecretSalt, SecretHashing.Sha1Hex(token)), time.GetUtcNow(), tokenCipher.Encrypt(SiteId, id, token));
        await store.InsertSubjectAsync(SiteId, record);
        _subjects = [.. _subjects, record];
        IndexSubjects();
        AccessChanged();
        logger.LogInformation("Subject {Subject} created on site {Site} with roles {Roles}", record.Name, SiteId, string.Join(',', roles));
        return ChangeResult<SubjectCreated>.Ok(new SubjectCreated(record.ToSubject(), token));
    }

    public async Task<ChangeResult<AuthSubject>> UpdateSubjectAsync(string id, string name, IReadOnlyList<string> roles, string? notes)
    {
        var existing = _subjects.FirstOrDefault(s => s.Id == id);
        if (existing is null)
        {
            return ChangeResult<AuthSubject>.Fail(ChangeStatus.NotFound, $"Subject {id} not found");
        }

        if (ValidateSubject(name, roles, exceptId: id) is { } problem)
        {
            return ChangeResult<AuthSubject>.Fail(problem.Status, problem.Message);
        }

        var updated = existing with { Name = name.Trim(), Roles = roles.ToList(), Notes = notes };
        await store.UpdateSubjectAsync(SiteId, updated);
        _subjects = _subjects.Select(s => s.Id == id ? updated : s).ToList();
        IndexSubjects();
        AccessChanged();
        return ChangeResult<AuthSubject>.Ok(updated.ToSubject());
    }

    public async Task<ChangeResult<AuthSubject>> DeleteSubjectAsync(string id)
    {
        var existing = _subjects.FirstOrDefault(s => s.Id == id);
        if (existing is null)
        {
            return ChangeResult<AuthSubject>.Fail(ChangeStatus.NotFound, $"Subject {id} not found");
        }

        await store.DeleteSubjectAsync(SiteId, id);
        _subjects = _subjects.Where(s => s.Id != id).ToList();
        IndexSubjects();
        AccessChanged();
        logger.LogInformation("Subject {Subject} deleted on site {Site}", existing.Name, SiteId);
        return ChangeResult<AuthSubject>.Ok(existing.ToSubject());
    }

    public Task<IReadOnlyList<AuthRole>> GetRolesAsync() => Task.FromResult<IReadOnlyList<AuthRole>>(EffectiveRoles().Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList());

    public async Task<ChangeResult<AuthRole>> SaveRoleAsync(string? id, string name, IReadOnlyList<string> permissions, string? notes)
    {
        if (_tenant is null)
        {
            return ChangeResult<AuthRole>.Fail(ChangeStatus.NotFound, "No such site");
        }

        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 50 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return ChangeResult<AuthRole>.Fail(ChangeStatus.Invalid, "Role name must be 1-50 letters, digits, '-' or '_'");
        }

        if (permissions.FirstOrDefault(p => !ShiroPermission.IsWellFormed(p)) is { } bad)
        {
            return ChangeResult<AuthRole>.Fail(ChangeStatus.Invalid, $"Malformed permission '{bad}'");
        }

        var stored = id is null ? null : _customRoles.FirstOrDefault(r => r.Id == id);
        if (id is not null && stored is null && !id.StartsWith("builtin-", StringComparison.Ordinal))
        {
            return ChangeResult<AuthRole>.Fail(ChangeStatus.NotFound, $"Role {id} not found");
        }

        if (_customRoles.Any(r => r.Name == name && r.Id != stored?.Id))
        {
            return ChangeResult<AuthRole>.Fail(ChangeStatus.Conflict, $"A role named '{name}' already exists");
        }

        // Saving over a built-in role stores an override with the same name; the built-in stays as the fallback.
        var role = new AuthRole(stored?.Id ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), name, permissions.ToList(), notes, BuiltIn: false);
        await store.UpsertRoleAsync(SiteId, role);
        _customRoles = _customRoles.Where(r => r.Id != role.Id).Append(role).ToList();
        AccessChanged();
        logger.LogInformation("Role {Role} saved on site {Site}", name, SiteId);
        return ChangeResult<AuthRole>.Ok(role);
    }

    public async Task<ChangeResult<AuthRole>> DeleteRoleAsync(string id)
    {
        var existing = _customRoles.FirstOrDefault(r => r.Id == id);
        if (existing is null)
        {
            return id.StartsWith("builtin-", StringComparison.Ordinal)
                ? ChangeResult<AuthRole>.Fail(ChangeStatus.Invalid, "Built-in roles cannot be deleted")
                : ChangeResult<AuthRole>.Fail(ChangeStatus.NotFound, $"Role {id} not found");
        }

        await store.DeleteRoleAsync(SiteId, id);
        _customRoles = _customRoles.Where(r => r.Id != id).ToList();
        AccessChanged();
        return ChangeResult<AuthRole>.Ok(existing);
    }

    private (ChangeStatus Status, string Message)? ValidateSubject(string? name, IReadOnlyList<string> roles, string? exceptId)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > 100)
        {
            return (ChangeStatus.Invalid, "Subject name must be 1-100 characters");
        }

        if (AccessTokens.Abbreviation(trimmed).Length == 0)
        {
            return (ChangeStatus.Invalid, "Subject name needs at least one letter or digit");
        }

        if (_subjects.Any(s => s.Name == trimmed && s.Id != exceptId))
        {
            return (ChangeStatus.Conflict, $"A subject named '{trimmed}' already exists");
        }

        var known = EffectiveRoles();
        return roles.FirstOrDefault(r => !known.ContainsKey(r)) is { } unknown ? (ChangeStatus.Invalid, $"Unknown role '{unknown}'") : null;
    }

    private Dictionary<string, AuthRole> EffectiveRoles()
    {
        var roles = BuiltInRoles.All.ToDictionary(r => r.Name, StringComparer.Ordinal);
        foreach (var role in _customRoles)
        {
            roles[role.Name] = role;
        }

        return roles;
    }

    private AccessGrant Grant(AccessOutcome outcome, SubjectRecord? subject, bool viaApiSecret, string? accessToken = null, long? iat = null, long? exp = null)
    {
        var roles = EffectiveRoles();
        var roleNames = (subject?.Roles ?? []).Concat(_tenant!.Settings.AuthDefaultRoles).Distinct(StringComparer.Ordinal);
        var groups = roleNames.Select(n => roles.TryGetValue(n, out var r) ? r.Permissions : []).ToList();
        if (viaApiSecret)
        {
            groups.Insert(0, ["*"]);
        }

        return new AccessGrant
        {
            Outcome = outcome,
            Subject = subject?.Name,
            ViaApiSecret = viaApiSecret,
            PermissionGroups = groups,
            Permissions = groups.SelectMany(g => g).Distinct(StringComparer.Ordinal).ToList(),
            AccessToken = accessToken,
            IssuedAt = iat,
            ExpiresAt = exp,
            Cors = _tenant.Settings.AllowsCrossOrigin(),
            IsClinic = _isClinic,
            IssuedBy = notices.Process,
        };
    }

    // Probing unknown keys must not pin empty activations in memory, and a site created later
    // (possibly through another silo) must be seen at once: drop the activation after this call.
    private void ForgetIfUnknown()
    {
        if (_tenant is null)
        {
            DeactivateOnIdle();
        }
    }

    // Refused, but the answer still crosses origins where the site allows it (so a browser can read the 401).
    private AccessGrant Invalid() => new() { Outcome = AccessOutcome.InvalidCredentials, Cors = _tenant?.Settings.AllowsCrossOrigin() == true };

    private async Task<AccessGrant?> FromJwtAsync(TenantRecord tenant, string jwt)
    {
        if (await JwtTokens.ValidateAsync(tenant.JwtKey, jwt, time.GetUtcNow()) is not { } claims
            || FindSubjectByToken(tenant, claims.AccessToken) is not { } subject)
        {
            return null;
        }

        return Grant(AccessOutcome.Authenticated, subject, false, claims.AccessToken, claims.Iat, claims.Exp);
    }

    private SubjectRecord? FindSubjectByToken(TenantRecord tenant, string presented)
    {
        if (presented.Length > 200)
        {
            return null;
        }

        if (AccessTokens.Suffix(presented) is { } suffix
            && _bySuffixHash.TryGetValue(Convert.ToHexString(SecretHashing.Hash(tenant.SecretSalt, suffix)), out var bySuffix))
        {
            return bySuffix;
        }

        return _bySha1Hash.TryGetValue(Convert.ToHexString(SecretHashing.Hash(tenant.SecretSalt, presented.ToLowerInvariant())), out var bySha1) ? bySha1 : null;
    }

    private void IndexSubjects()
    {
        _bySuffixHash = _subjects.ToDictionary(s => Convert.ToHexString(s.TokenSuffixHash));
        _bySha1Hash = _subjects.ToDictionary(s => Convert.ToHexString(s.TokenSha1Hash));
    }
}
