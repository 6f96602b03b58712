using Nocturne.Api.Configuration;
using Nocturne.Grains.Interfaces;

namespace Nocturne.Api.Hosting;

/// <summary>
/// Applies the Nightscout environment settings to the default site at start-up, as a
/// Nightscout server reads its environment on every start. Runs after the silo started.
/// </summary>
public sealed class DefaultSiteBootstrapper(IGrainFactory grains, IConfiguration configuration, ILogger<DefaultSiteBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = SiteSettingsConfiguration.FromConfiguration(configuration);
        var changed = await grains.GetGrain<IPatientGrain>(Sites.DefaultSiteId).ConfigureSettingsAsync(settings);
        logger.LogInformation("Default site settings {Outcome} (units {Units})", changed ? "stored" : "unchanged", settings.Units);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
