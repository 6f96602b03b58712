using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Hosting;
using Orleans.Configuration;

namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// A silo built by the production configuration code (<see cref="NocturneSiloConfiguration"/>)
/// in a generic host, so the tests exercise the same clustering, storage and reminder set-up
/// that the hosts use.
/// </summary>
public static class TestSilo
{
    public static async Task<IHost> StartAsync(string postgres, string serviceId, string mode = "Localhost", string? redis = null, string? clusterId = null,
        IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["ConnectionStrings:Redis"] = redis,
            ["Cluster:Mode"] = mode,
            ["Cluster:ServiceId"] = serviceId,
            ["Cluster:ClusterId"] = clusterId ?? serviceId,
            ["Cluster:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Cluster:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            [TestServices.TokenKeySetting] = TestServices.TokenKey,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.AddNocturne(builder.Configuration);
            // Tests use second-scale reminders; production keeps Orleans' one-minute floor.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static IGrainFactory Grains(this IHost host) => host.Services.GetRequiredService<IGrainFactory>();
}
