using Microsoft.Extensions.Logging;
using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Tenants;

// Subjects and roles arriving from another Nightscout site (see Import.SiteImporter).
public sealed partial class SiteAccessGrain
{
    public async Task<ImportedAccess> ImportAccessAsync(IReadOnlyList<AuthRole> roles, IReadOnlyList<ImportedSubject> subjects)
    {
        if (_tenant is null)
        {
            return new ImportedAccess(0, 0, ["No such site"]);
        }

        var skipped = new List<string>();
        var addedRoles = 0;
        foreach (var role in roles)
        {
            var builtIn = BuiltInRoles.All.FirstOrDefault(r => r.Name == role.Name);
            if (_customRoles.Any(r => r.Name == role.Name) || (builtIn is not null && builtIn.Permissions.SequenceEqual(role.Permissions)))
            {
                continue;
            }

            var saved = await SaveRoleAsync(null, role.Name, role.Permissions, role.Notes);
            if (saved.Status == ChangeStatus.Done)
            {
                addedRoles++;
            }
            else
            {
                skipped.Add($"role '{role.Name}': {saved.Message}");
            }
        }

        var addedSubjects = 0;
        foreach (var subject in subjects)
        {
            if (_subjects.Any(s => s.Id == subject.Id))
            {
                continue;
            }

            var known = EffectiveRoles();
            var unknownRoles = subject.Roles.Where(r => !known.ContainsKey(r)).ToList();
            if (unknownRoles.Count > 0)
            {
                // The reference grants nothing for a role it does not know; neither do we, by leaving it out.
                skipped.Add($"subject '{subject.Name}': unknown role(s) {string.Join(", ", unknownRoles)} left out");
            }

            var roleNames = subject.Roles.Except(unknownRoles).ToList();
            if (ValidateSubject(subject.Name, roleNames, exceptId: null) is { } problem)
            {
                skipped.Add($"subject '{subject.Name}': {problem.Message}");
                continue;
            }

            if (AccessTokens.Suffix(subject.AccessToken) is not { } suffix)
            {
                skipped.Add($"subject '{subject.Name}': its access token has no 16-character hex part");
                continue;
            }

            var record = new SubjectRecord(subject.Id, subject.Name.Trim(), roleNames, subject.Notes,
                AccessTokens.Prefix(subject.AccessToken), SecretHashing.Hash(_tenant.SecretSalt, suffix),
                SecretHashing.Hash(_tenant.SecretSalt, SecretHashing.Sha1Hex(subject.AccessToken)), subject.CreatedAt,
                tokenCipher.Encrypt(SiteId, subject.Id, subject.AccessToken));
            await store.InsertSubjectAsync(SiteId, record);
            _subjects = [.. _subjects, record];
            addedSubjects++;
        }

        IndexSubjects();
        AccessChanged();
        logger.LogInformation("Site {Site}: imported {Roles} roles and {Subjects} subjects", SiteId, addedRoles, addedSubjects);
        return new ImportedAccess(addedRoles, addedSubjects, skipped);
    }
}
