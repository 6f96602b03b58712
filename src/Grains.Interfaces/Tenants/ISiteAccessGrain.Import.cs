using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Grains.Interfaces.Tenants;

// What a site import needs beyond document writes: the source's roles and subjects, ids and tokens kept.
public partial interface ISiteAccessGrain
{
    /// <summary>
    /// Adds the roles whose names are not here yet, then the subjects whose ids are not here yet;
    /// what is already here stays as it is, so a repeated import changes nothing.
    /// </summary>
    [Alias("ImportAccess")]
    Task<ImportedAccess> ImportAccessAsync(IReadOnlyList<AuthRole> roles, IReadOnlyList<ImportedSubject> subjects);
}
