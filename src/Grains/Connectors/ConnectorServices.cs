using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Connectors.Sources;
using Orleans.Configuration;

namespace Nocturne.Grains.Connectors;

/// <summary>Registers the connector framework (sources, credential encryption, vendor HTTP) in a silo.</summary>
public static class ConnectorServices
{
    public static IServiceCollection AddConnectors(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(ConnectorOptions.Section);
        services.Configure<ConnectorOptions>(section);
        var minimum = TimeSpan.FromSeconds(Math.Max(section.GetValue<int?>(nameof(ConnectorOptions.MinimumIntervalSeconds)) ?? 60, 1));
        if (minimum < TimeSpan.FromMinutes(1))
        {
            // Orleans refuses reminder periods under a minute unless told otherwise.
            services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = minimum);
        }

        // Built now, so that a malformed key stops the silo at start rather than failing every connector later.
        services.AddSingleton(new CredentialProtector(configuration));
        services.AddSingleton<IConnectorSource, DexcomShareSource>();
        services.AddSingleton<IConnectorSource, LibreLinkUpSource>();
        services.AddSingleton<IConnectorSource, NightscoutSource>();
        services.AddSingleton<IConnectorSource, TidepoolSource>();
        services.AddSingleton<IConnectorSource, GlookoSource>();
        services.AddSingleton<IConnectorSource, CareLinkSource>();
        services.AddSingleton<IConnectorSource, TandemSource>();
        services.AddSingleton<IConnectorSource, MyFitnessPalSource>();
        services.AddSingleton<ConnectorOverviewQuery>();
        services.AddSingleton<Import.NightscoutApiSources>();
        services.AddConnectorHttp();
        return services;
    }
}
