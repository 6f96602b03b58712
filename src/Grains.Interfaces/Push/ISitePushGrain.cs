using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Push;

/// <summary>
/// A site's fan-out point (key <c>{site}/push</c>): the patient and alarm grains publish to it and it
/// forwards each event once to every silo relay that has a follower of the site. Subscriptions are
/// leases: a relay renews them, so a relay that died is forgotten and a push grain that moved is refilled.
/// </summary>
[Alias("nocturne.ISitePushGrain")]
public interface ISitePushGrain : IGrainWithStringKey
{
    [Alias("Subscribe")]
    Task SubscribeAsync(ISitePushObserver relay);

    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(ISitePushObserver relay);

    /// <summary>Fire and forget: a slow or missing follower never holds the writer.</summary>
    [Alias("Publish"), OneWay]
    Task PublishAsync(SitePushEvent pushEvent);

    /// <summary>
    /// A committed change of the site's documents, from its patient grain: published as
    /// <see cref="PublishAsync"/>; with no relay to deliver it to, the patient grain is told
    /// (<c>UnfollowedAsync</c> with <paramref name="followGeneration"/>) and stops publishing until
    /// this grain's first relay subscribes.
    /// </summary>
    [Alias("PublishChange"), OneWay]
    Task PublishChangeAsync(SitePushEvent pushEvent, long followGeneration);

    /// <summary>
    /// Publishes as <see cref="PublishAsync"/> and answers whether any relay follows the site. A publisher
    /// told no may stop publishing until the site's alarm grain hears <c>FollowedAsync</c>, which this grain
    /// sends when its first relay subscribes.
    /// </summary>
    [Alias("PublishHeard")]
    Task<bool> PublishHeardAsync(SitePushEvent pushEvent);
}
