using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Infrastructure;
using Orleans.Runtime;

namespace Nocturne.Tests.Connectors;

/// <summary>Two silos sharing membership in Redis: connectors poll once per period, and keep polling when one silo leaves.</summary>
public sealed class ConnectorClusterTests
{
    [Fact]
    public async Task EveryConnectorPollsOncePerPeriodAndKeepsPollingWhenASiloLeaves()
    {
        await using var dexcom = new FakeDexcomShare();
        await using var libre = new FakeLibreLinkUp();
        await dexcom.StartAsync();
        await libre.StartAsync();
        var settings = ConnectorHost.Settings(dexcom, libre);
        var postgres = await TestServices.MigratedPostgresAsync();
        var serviceId = TestServices.UniqueServiceId("conncl");
        var siloA = await TestSilo.StartAsync(postgres, serviceId, "Redis", TestServices.Redis, extra: settings);
        var siloB = await TestSilo.StartAsync(postgres, serviceId, "Redis", TestServices.Redis, extra: settings);
        try
        {
            await SiloWaits.ForActiveSilosAsync(siloA, 2);
            const int period = 2;
            var users = new List<string>();
            for (var i = 0; i < 8; i++)
            {
                var site = $"cl{i}-{Guid.NewGuid():N}"[..20];
                var user = $"cluser-{Guid.NewGuid():N}"[..20];
                dexcom.AddAccount(user, "pw", FakeReading.Series(DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
                // Half configured through each silo, so the grains and their reminders spread over both.
                var grains = (i % 2 == 0 ? siloA : siloB).Grains();
                await grains.GetGrain<ISiteAccessGrain>(site).ProvisionAsync(new SiteProvisioning(site, null, new SiteSettings()), overwrite: false);
                var configured = await grains.GetGrain<IConnectorGrain>(ConnectorKinds.Key(site, ConnectorKinds.DexcomShare))
                    .ConfigureAsync(new ConnectorSettings(true, user, "pw", "us", null, null, null, period, 1));
                Assert.Equal(Nocturne.Grains.Interfaces.Authorization.ChangeStatus.Done, configured.Status);
                users.Add(user);
            }

            Assert.True(await ConnectorHost.EventuallyAsync(() => Task.FromResult(users.All(u => dexcom.ReadsByAccount.GetValueOrDefault(u) >= 2))));
            AssertOncePerPeriod(await CountReadsAsync(dexcom, users, TimeSpan.FromSeconds(10)), 10, period);

            // Silo B leaves; its reminders move to A, and every connector goes on polling, once per period.
            await siloB.StopAsync();
            siloB.Dispose();
            siloB = null;
            var before = users.ToDictionary(u => u, u => dexcom.ReadsByAccount.GetValueOrDefault(u));
            Assert.True(await ConnectorHost.EventuallyAsync(() => Task.FromResult(users.All(u => dexcom.ReadsByAccount.GetValueOrDefault(u) >= before[u] + 2)), seconds: 90));
            AssertOncePerPeriod(await CountReadsAsync(dexcom, users, TimeSpan.FromSeconds(10)), 10, period);
        }
        finally
        {
            if (siloB is not null)
            {
                await siloB.StopAsync();
                siloB.Dispose();
            }

            await siloA.StopAsync();
            siloA.Dispose();
        }
    }

    private static async Task<Dictionary<string, int>> CountReadsAsync(FakeDexcomShare dexcom, List<string> users, TimeSpan window)
    {
        var start = users.ToDictionary(u => u, u => dexcom.ReadsByAccount.GetValueOrDefault(u));
        await Task.Delay(window);
        return users.ToDictionary(u => u, u => dexcom.ReadsByAccount.GetValueOrDefault(u) - start[u]);
    }

    // Never two pollers for one connector (that would double the count); ticks may run late on a busy machine, never twice.
    private static void AssertOncePerPeriod(Dictionary<string, int> reads, int seconds, int period)
    {
        foreach (var (user, count) in reads)
        {
            Assert.True(count >= 1 && count <= seconds / period + 1, $"{user}: {count} reads in {seconds} s at one per {period} s");
        }
    }
}
