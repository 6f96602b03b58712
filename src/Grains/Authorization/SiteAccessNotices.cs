namespace Nocturne.Grains.Authorization;

/// <summary>
/// This process's news of a change to who may use a site (its secret, subjects, roles, settings,
/// enabled or deleted), raised by the site's access grain as soon as its memory holds the change
/// and before the change is answered. The API's cache of verified credentials listens, so a
/// revoked credential is refused by the next request on this node.
/// </summary>
public sealed class SiteAccessNotices
{
    public event Action<string>? Changed;

    /// <summary>
    /// This process, as stamped on the grants its access grains issue (<see cref="Interfaces.Authorization.AccessGrant.IssuedBy"/>):
    /// a grant from here comes with the promise that this process hears of every change to the site
    /// while the activation that issued it lives, and of its end.
    /// </summary>
    public Guid Process { get; } = Guid.NewGuid();

    public void Notify(string siteId) => Changed?.Invoke(siteId);
}
