using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// The operator's view of all sites: create, list, enable/disable, delete. One activation
/// (key <see cref="Key"/>); each site's own data is written by its <see cref="IPatientGrain"/>.
/// </summary>
[Alias("nocturne.ITenantRegistryGrain")]
public interface ITenantRegistryGrain : IGrainWithStringKey
{
    public const string Key = "registry";

    [Alias("Create")]
    Task<Authorization.ChangeResult<SiteCreated>> CreateAsync(string id, string? displayName, string? apiSecret, SiteSettings? settings);

    [Alias("List"), ReadOnly]
    Task<IReadOnlyList<SiteSummary>> ListAsync();

    [Alias("Get"), ReadOnly]
    Task<SiteSummary?> GetAsync(string id);

    [Alias("SetEnabled")]
    Task<bool> SetEnabledAsync(string id, bool enabled);

    /// <summary>Removes the site and every row of its data. Returns false when there is no such site.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync(string id);
}
