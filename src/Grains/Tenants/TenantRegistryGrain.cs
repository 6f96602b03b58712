using Microsoft.Extensions.Logging;
using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Tenants;

/// <summary>
/// Operator operations over all sites. It validates and coordinates; each site's row is
/// written by that site's <see cref="SiteAccessGrain"/>, so a running site never holds a stale copy.
/// </summary>
[GrainType("tenant-registry")]
public sealed class TenantRegistryGrain(TenantStore store, ILogger<TenantRegistryGrain> logger) : Grain, ITenantRegistryGrain
{
    public async Task<ChangeResult<SiteCreated>> CreateAsync(string id, string? displayName, string? apiSecret, SiteSettings? settings)
    {
        if (SiteIds.Problem(id) is { } problem)
        {
            return ChangeResult<SiteCreated>.Fail(ChangeStatus.Invalid, problem);
        }

        var secret = apiSecret ?? SecretHashing.NewApiSecret();
        var provisioning = new SiteProvisioning(string.IsNullOrWhiteSpace(displayName) ? id : displayName.Trim(), secret, settings ?? new SiteSettings());
        var result = await GrainFactory.Site(id).Access.ProvisionAsync(provisioning, overwrite: false);
        if (result.Status != ChangeStatus.Done)
        {
            return ChangeResult<SiteCreated>.Fail(result.Status, result.Message!);
        }

        logger.LogInformation("Registry created site {Site}", id);
        return ChangeResult<SiteCreated>.Ok(new SiteCreated(result.Value!, secret));
    }

    public Task<IReadOnlyList<SiteSummary>> ListAsync() => store.ListAsync();

    public Task<SiteSummary?> GetAsync(string id) =>
        SiteIds.IsValid(id) ? GrainFactory.Site(id).Access.GetSummaryAsync() : Task.FromResult<SiteSummary?>(null);

    public Task<bool> SetEnabledAsync(string id, bool enabled) =>
        SiteIds.IsValid(id) ? GrainFactory.Site(id).Access.SetEnabledAsync(enabled) : Task.FromResult(false);

    public Task<bool> DeleteAsync(string id) =>
        SiteIds.IsValid(id) ? GrainFactory.Site(id).Access.DeleteAllDataAsync() : Task.FromResult(false);
}
