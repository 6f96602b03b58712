using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Grains;
using Nocturne.Tests.Infrastructure;
using Orleans.Runtime;

namespace Nocturne.Tests.Foundation;

/// <summary>Cluster mode: two silos on one machine, membership in the real Redis, one PostgreSQL.</summary>
public sealed class RedisClusterTests
{
    [Fact]
    public async Task TwoSilosFormOneClusterAndShareEachGrain()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var serviceId = TestServices.UniqueServiceId("redis");
        var siloA = await TestSilo.StartAsync(postgres, serviceId, "Redis", TestServices.Redis);
        var siloB = await TestSilo.StartAsync(postgres, serviceId, "Redis", TestServices.Redis);
        try
        {
            await SiloWaits.ForActiveSilosAsync(siloA, 2);
            await SiloWaits.ForActiveSilosAsync(siloB, 2);

            // The same grain reached through either silo is one activation, wherever it lives. Half of
            // the grains are first called (and so placed) through B, so calls really cross silos both ways.
            var seenSilos = new HashSet<string>();
            for (var i = 0; i < 10; i++)
            {
                var key = $"probe-{i}";
                var (first, second) = i % 2 == 0 ? (siloA, siloB) : (siloB, siloA);
                var viaFirst = await first.Grains().GetGrain<IClusterProbeGrain>(key).WhereAsync();
                var viaSecond = await second.Grains().GetGrain<IClusterProbeGrain>(key).WhereAsync();
                Assert.Equal(viaFirst.Activation, viaSecond.Activation);
                Assert.Equal(viaFirst.Silo, viaSecond.Silo);
                Assert.Equal(2, viaSecond.Calls);
                seenSilos.Add(viaFirst.Silo);
            }

            Assert.Equal(2, seenSilos.Count);

            // State written through one silo is read through the other.
            var site = $"shared-{Guid.NewGuid():N}"[..20];
            await siloA.Grains().GetGrain<ISiteAccessGrain>(site).ProvisionAsync(new SiteProvisioning("Shared", null, new SiteSettings { CustomTitle = "via A" }), overwrite: false);
            Assert.Equal("via A", (await siloB.Grains().GetGrain<ISiteAccessGrain>(site).GetSettingsAsync())?.CustomTitle);
        }
        finally
        {
            await siloB.StopAsync();
            await siloA.StopAsync();
            siloB.Dispose();
            siloA.Dispose();
        }
    }
}
