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

    public void Notify(string siteId) => Changed?.Invoke(siteId);
}
