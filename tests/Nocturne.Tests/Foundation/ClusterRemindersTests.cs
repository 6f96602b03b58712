using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nocturne.Tests.Grains;
using Nocturne.Tests.Infrastructure;
using Orleans.Runtime;

namespace Nocturne.Tests.Foundation;

/// <summary>
/// Reminders are what connector grains will poll with: on a two-silo cluster each fires once per
/// period (not once per silo), and when a silo leaves, the other takes its reminders over.
/// </summary>
public sealed class ClusterRemindersTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task RemindersFireOncePerPeriodAndMoveWhenASiloLeaves()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var serviceId = TestServices.UniqueServiceId("reminders");
        var siloA = await TestSilo.StartAsync(postgres, serviceId, "Redis", TestServices.Redis);
        var siloB = await TestSilo.StartAsync(postgres, serviceId, "Redis", TestServices.Redis);
        var aStopped = false;
        try
        {
            await SiloWaits.ForActiveSilosAsync(siloA, 2);
            await SiloWaits.ForActiveSilosAsync(siloB, 2);

            // Enough grains that both silos own some of the reminder ring.
            var keys = Enumerable.Range(0, 8).Select(i => $"{serviceId}/probe-{i}").ToArray();
            foreach (var key in keys)
            {
                await siloB.Grains().GetGrain<IReminderProbeGrain>(key).StartAsync(TimeSpan.FromSeconds(1), Period);
            }

            foreach (var key in keys)
            {
                Assert.True(await SiloWaits.ForTicksAsync(siloB, key, 1), $"{key} never fired");
            }

            // Over a measured window, no reminder fires more often than its period allows
            // (a reminder run by both silos would tick about twice as often).
            var before = await TicksAsync(siloB, keys);
            var started = DateTime.UtcNow;
            await Task.Delay(Period * 5);
            var after = await TicksAsync(siloB, keys);
            var allowed = (int)Math.Floor((DateTime.UtcNow - started) / Period) + 1;
            for (var i = 0; i < keys.Length; i++)
            {
                Assert.InRange(after[i] - before[i], 0, allowed);
            }

            Assert.True(after.Sum() > before.Sum(), "no reminder fired during the window");

            // Silo A leaves: B takes over every reminder, including those A ran.
            await siloA.StopAsync();
            aStopped = true;
            var atStop = await TicksAsync(siloB, keys);
            for (var i = 0; i < keys.Length; i++)
            {
                Assert.True(await SiloWaits.ForTicksAsync(siloB, keys[i], atStop[i] + 2), $"{keys[i]} stopped firing when silo A left");
            }
        }
        finally
        {
            await siloB.StopAsync();
            if (!aStopped)
            {
                await siloA.StopAsync();
            }

            siloB.Dispose();
            siloA.Dispose();
        }
    }

    private static async Task<int[]> TicksAsync(IHost silo, string[] keys) =>
        await Task.WhenAll(keys.Select(k => silo.Grains().GetGrain<IReminderProbeGrain>(k).TicksAsync()));
}
