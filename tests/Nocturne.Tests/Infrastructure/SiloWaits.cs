using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nocturne.Tests.Grains;
using Orleans.Runtime;

namespace Nocturne.Tests.Infrastructure;

/// <summary>Waits for a cluster condition, bounded, instead of sleeping for a guessed time.</summary>
public static class SiloWaits
{
    /// <summary>True once the reminder probe <paramref name="key"/> has ticked at least <paramref name="atLeast"/> times (within 60 s).</summary>
    public static async Task<bool> ForTicksAsync(IHost silo, string key, int atLeast)
    {
        var grain = silo.Grains().GetGrain<IReminderProbeGrain>(key);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await grain.TicksAsync() >= atLeast)
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }

    /// <summary>Waits until the silo sees <paramref name="count"/> active members (within 30 s).</summary>
    public static Task ForActiveSilosAsync(IHost silo, int count) => ForActiveSilosAsync(silo.Services, count);

    /// <summary>The same for a host given by its services (e.g. an API host's co-hosted silo).</summary>
    public static async Task ForActiveSilosAsync(IServiceProvider services, int count)
    {
        var membership = services.GetRequiredService<IClusterMembershipService>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the silos did not see {count} active members within 30 s");
            await membership.Refresh();
            await Task.Delay(200);
        }
    }
}
