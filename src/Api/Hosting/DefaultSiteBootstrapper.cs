using Microsoft.Extensions.Options;
using Nocturne.Api.Configuration;
using Nocturne.Api.Tenancy;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Hosting;

/// <summary>
/// Single-site mode: applies the Nightscout environment (API_SECRET, DISPLAY_UNITS, ...) to the
/// default site at every start, as a Nightscout server reads its environment. Multi-site
/// deployments manage sites through the operator API instead. Runs after the silo started.
/// </summary>
public sealed class DefaultSiteBootstrapper(
    IGrainFactory grains,
    IConfiguration configuration,
    IOptions<TenancyOptions> tenancy,
    ILogger<DefaultSiteBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (tenancy.Value.MultiTenant)
        {
            return;
        }

        var secret = configuration["API_SECRET"] is { Length: > 0 } s ? s : null;
        if (secret is null)
        {
            logger.LogWarning("API_SECRET is not set: the site can be read as AUTH_DEFAULT_ROLES allows, but nothing can be uploaded with a secret");
        }

        var settings = SiteSettingsConfiguration.FromConfiguration(configuration);
        var title = configuration["CUSTOM_TITLE"] is { Length: > 0 } t ? t : "Nightscout";
        var result = await grains.Site(SiteIds.Default).Access
            .ProvisionAsync(new SiteProvisioning(title, secret, settings), overwrite: true);
        if (result.Status != ChangeStatus.Done)
        {
            throw new InvalidOperationException(result.Message);
        }

        logger.LogInformation("Default site ready (units {Units}, default roles {Roles})", settings.Units, string.Join(' ', settings.AuthDefaultRoles));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
