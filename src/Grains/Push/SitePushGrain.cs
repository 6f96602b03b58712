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

    public async Task SubscribeAsync(ISitePushObserver relay)
    {
        _relays.ClearExpired();
        var first = _relays.Count == 0;
        _relays.Subscribe(relay, relay);
        if (first)
        {
            // The alarm and patient grains stop publishing to a site nobody follows; this activation
            // may be new (moved, collected while nobody followed), so tell them on every first relay.
            var site = SiteGrainKeys.SiteOf(this.GetPrimaryKeyString());
            _ = StringKeyedGrains.Get<ISiteAlarmGrain>(GrainFactory, SiteGrainKeys.For(site, "alarms")).FollowedAsync();
            try
            {
                // Awaited: the follower reads its first data after this answer, and a change committed
                // after that read must reach it, so the writer has to know before then.
                await GrainFactory.Site(site).Documents.FollowedAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A patient grain that cannot be reached is not active, and an activation starts out publishing.
                logger.LogWarning(ex, "Site {Site}: its writer was not told of a follower", site);
            }
        }
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

    public async Task PublishChangeAsync(SitePushEvent pushEvent, long followGeneration)
    {
        if (await PublishHeardAsync(pushEvent))
        {
            return;
        }

        await GrainFactory.Site(SiteGrainKeys.SiteOf(this.GetPrimaryKeyString())).Documents.UnfollowedAsync(followGeneration);
    }

    public async Task<bool> PublishHeardAsync(SitePushEvent pushEvent)
    {
        // Notify drops the relays whose lease ran out first, so the count after it is of live relays.
        await PublishAsync(pushEvent);
        return _relays.Count > 0;
    }
}
