using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Push;

namespace Nocturne.Api.Push;

/// <summary>One connected follower of a site (a SignalR connection or a Socket.IO session) as the relay sees it.</summary>
public interface IPushFollower
{
    string SiteId { get; }

    /// <summary>What the follower authenticated with, re-checked periodically so that a revoked token or a disabled site disconnects.</summary>
    Credentials Credentials { get; }

    /// <summary>The permission those credentials must still grant on <see cref="SiteId"/>.</summary>
    string Permission { get; }

    bool Wants(SitePushEvent pushEvent);

    /// <summary>Queues the event; never blocks the relay on a slow network.</summary>
    void Deliver(SitePushEvent pushEvent);

    void Disconnect(string reason);
}
