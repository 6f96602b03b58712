using Microsoft.Extensions.Logging;
using Nocturne.Grains.Interfaces.Push;
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
        _relays.Subscribe(relay, relay);
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
}
