namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// Keys of grains that belong to a site: the site id first, then the grain's own name
/// (<c>alice/dexcom</c>); the patient grain's key is the site id alone. Site deletion finds a
/// site's grain state and reminders by this shape, so every site-scoped grain key comes from here.
/// </summary>
public static class SiteGrainKeys
{
    public const char Separator = '/';

    /// <summary>The key of the site's grain called <paramref name="name"/>.</summary>
    public static string For(string siteId, string name)
    {
        if (!SiteIds.IsValid(siteId))
        {
            throw new ArgumentException($"'{siteId}' is not a site id", nameof(siteId));
        }

        ArgumentException.ThrowIfNullOrEmpty(name);
        return $"{siteId}{Separator}{name}";
    }

    /// <summary>The site a site-scoped grain key belongs to.</summary>
    public static string SiteOf(string key)
    {
        var end = key.IndexOf(Separator, StringComparison.Ordinal);
        return end < 0 ? key : key[..end];
    }
}
