using Orleans.Runtime;

namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// Deactivates one grain and proves it is gone, so the next call activates it afresh from
/// PostgreSQL: a "survives a reload" test that skips this proof may be reading memory.
/// </summary>
public static class GrainReload
{
    public static async Task DeactivateAsync(IGrainFactory grains, IAddressable grain)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var id = grain.GetGrainId();
        var reference = (GrainReference)grain;
        Assert.True(await management.GetGrainActivationCount(reference) > 0, $"{id} was not active, so a reload would prove nothing");
        await management.DeactivateGrain(id);
        // Deactivation completes asynchronously; wait for it rather than for a fixed time.
        for (var attempt = 0; attempt < 200 && await management.GetGrainActivationCount(reference) > 0; attempt++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(0, await management.GetGrainActivationCount(reference));
    }

    /// <summary>Reloads a site's grains in the API host: its access grain and, when it was active, its document grain.</summary>
    public static async Task ReloadSiteAsync(MultiSiteApi api, string site)
    {
        var grains = (IGrainFactory)api.Factory.Services.GetService(typeof(IGrainFactory))!;
        var siteGrains = Nocturne.Grains.Interfaces.Tenants.SiteGrainsExtensions.Site(grains, site);
        await DeactivateAsync(grains, siteGrains.Access);
        var documents = (GrainReference)siteGrains.Documents;
        if (await grains.GetGrain<IManagementGrain>(0).GetGrainActivationCount(documents) > 0)
        {
            await DeactivateAsync(grains, siteGrains.Documents);
        }
    }
}
