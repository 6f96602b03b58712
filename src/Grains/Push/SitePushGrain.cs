using Microsoft.Extensions.Logging;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Push;
using Nocturne.Grains.Interfaces.Tenants;
using Orleans.Utilities;

namespace Nocturne.Grains.Push;

/// <summary>
/// A site's fan-out: one observer per silo relay, not per follower, so an upload costs one message
/// per silo that has followers of the site. Holds nothing durable: after a move or restart the
/// relays' next renewal refills it.
/// </summary>
[GrainType("sitepush")]
public sealed class SitePushGrain(ILogger<SitePushGrain> logger) : Grain, ISitePushGrain
{
    /// <summary>A relay that has not renewed for this long is dropped (relays renew every <see cref="RenewEvery"/>).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(3);
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    private readonly ObserverManager<ISitePushObserver> _relays = new(Lease, logger);

    public Task SubscribeAsync(ISitePushObserver relay)
    {
        _relays.ClearExpired();
        var first = _relays.Count == 0;
        _relays.Subscribe(relay, relay);
        if (first)
        {
            // The alarm grain stops publishing to a site nobody follows (PublishHeardAsync); this
            // activation may be new (moved, collected while nobody followed), so tell it on every first relay.
            _ = StringKeyedGrains.Get<ISiteAlarmGrain>(GrainFactory, SiteGrainKeys.For(SiteGrainKeys.SiteOf(this.GetPrimaryKeyString()), "alarms")).FollowedAsync();
        }

        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(ISitePushObserver relay)
    {
        _relays.Unsubscribe(relay);
        return Task.CompletedTask;
    }

    public Task PublishAsync(SitePushEvent pushEvent)
    {
        // OnPushAsync is one-way: a relay that is gone fails nothing here; its lease runs out.
        return _relays.Notify(relay => relay.OnPushAsync(pushEvent));
    }

    public async Task<bool> PublishHeardAsync(SitePushEvent pushEvent)
    {
        // Notify drops the relays whose lease ran out first, so the count after it is of live relays.
        await PublishAsync(pushEvent);
        return _relays.Count > 0;
    }
}
