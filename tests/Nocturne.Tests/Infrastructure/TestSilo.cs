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

    /// <summary>Waits until this silo's membership view has <paramref name="count"/> active silos (at most 30 s).</summary>
    public static async Task WaitForActiveSilosAsync(this IHost host, int count)
    {
        var membership = host.Services.GetRequiredService<Orleans.Runtime.IClusterMembershipService>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (membership.CurrentSnapshot.Members.Values.Count(m => m.Status == Orleans.Runtime.SiloStatus.Active) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} silos did not see each other within 30 s");
            await membership.Refresh();
            await Task.Delay(200);
        }
    }
}
