using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Push;

/// <summary>A silo's relay to the followers connected to it, subscribed to the sites they follow.</summary>
[Alias("nocturne.ISitePushObserver")]
public interface ISitePushObserver : IGrainObserver
{
    [Alias("OnPush"), OneWay]
    Task OnPushAsync(SitePushEvent pushEvent);
}
