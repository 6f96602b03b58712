using System.Diagnostics.Metrics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Push;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Push;

/// <summary>
/// This silo's relay (the GPSTracker pattern): one grain observer per API process, subscribed to the
/// push grain of each site that has a follower connected here, so an upload reaches each silo once
/// and is fanned out to its local followers in memory. It renews the subscriptions (leases) and
/// re-checks every follower's credentials, disconnecting those no longer allowed to follow.
/// </summary>
public sealed class SitePushRelay(IGrainFactory grains, IOptions<PushOptions> options, ILogger<SitePushRelay> logger, IMeterFactory meters)
    : BackgroundService, ISitePushObserver
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<IPushFollower, byte>> _sites = new(StringComparer.Ordinal);
    private ISitePushObserver? _reference;

    private ISitePushObserver Reference => _reference ??= grains.CreateObjectReference<ISitePushObserver>(this);

    // Counted per process, not per relay: the meter is found by name, so where several API hosts
    // share a process (tests) each host's gauge would otherwise report whichever relay it read.
    private static int s_followers;

    /// <summary>Followers connected to this process.</summary>
    public static int FollowerCount => Volatile.Read(ref s_followers);

    public async Task AttachAsync(IPushFollower follower)
    {
        var followers = _sites.GetOrAdd(follower.SiteId, _ => new ConcurrentDictionary<IPushFollower, byte>());
        var first = followers.IsEmpty;
        if (followers.TryAdd(follower, 0))
        {
            Interlocked.Increment(ref s_followers);
        }
        if (first)
        {
            await Push(follower.SiteId).SubscribeAsync(Reference);
        }
    }

    public void Detach(IPushFollower follower)
    {
        if (_sites.TryGetValue(follower.SiteId, out var followers))
        {
            if (followers.TryRemove(follower, out _))
            {
                Interlocked.Decrement(ref s_followers);
            }
        }
    }

    public Task OnPushAsync(SitePushEvent pushEvent)
    {
        if (_sites.TryGetValue(pushEvent.SiteId, out var followers))
        {
            foreach (var follower in followers.Keys)
            {
                if (follower.Wants(pushEvent))
                {
                    follower.Deliver(pushEvent);
                }
            }
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        meters.Create(Nocturne.Grains.Telemetry.NocturneMetrics.MeterName).CreateObservableGauge(
            "nocturne.push.followers", () => FollowerCount, "{connection}", "Followers (SignalR, Socket.IO, clinic boards) connected to this node");
        var lastRecheck = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(Nocturne.Grains.Push.SitePushGrain.RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RenewAsync();
                if (DateTimeOffset.UtcNow - lastRecheck >= TimeSpan.FromSeconds(options.Value.RecheckSeconds))
                {
                    lastRecheck = DateTimeOffset.UtcNow;
                    await RecheckAsync();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A silo or PostgreSQL outage: try again next round, followers stay connected.
                logger.LogWarning(ex, "Push relay renewal failed");
            }
        }
    }

    /// <summary>Renews leases of sites with followers here and drops the others (also used by tests to skip a wait).</summary>
    internal async Task RenewAsync()
    {
        foreach (var (site, followers) in _sites)
        {
            if (followers.IsEmpty)
            {
                _sites.TryRemove(site, out _);
                await Push(site).UnsubscribeAsync(Reference);
            }
            else
            {
                await Push(site).SubscribeAsync(Reference);
            }
        }
    }

    internal async Task RecheckAsync()
    {
        foreach (var (site, followers) in _sites)
        {
            var access = grains.Site(site).Access;
            foreach (var follower in followers.Keys)
            {
                var grant = await access.AuthenticateAsync(follower.Credentials);
                if (!FollowerPermission.MayFollow(grant, follower.Permission))
                {
                    logger.LogInformation("Site {Site}: a follower lost its access and is disconnected", site);
                    Detach(follower);
                    follower.Disconnect("access revoked");
                }
            }
        }
    }

    private ISitePushGrain Push(string site) => grains.GetGrain<ISitePushGrain>(SiteGrainKeys.For(site, "push"));
}
