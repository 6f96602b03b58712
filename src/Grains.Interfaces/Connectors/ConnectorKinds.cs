namespace Nocturne.Grains.Interfaces.Connectors;

/// <summary>
/// The vendor clouds a site can pull data from, and the one way to build a connector grain's
/// key: <c>{site}/{kind}</c>. Site ids are at most 40 characters and kinds short, so the
/// reminder row's grain id (type prefix included) stays well under Orleans' 150 characters.
/// </summary>
public static class ConnectorKinds
{
    public const string DexcomShare = "dexcom";
    public const string LibreLinkUp = "librelinkup";
    public const string Nightscout = "nightscout";
    public const string Tidepool = "tidepool";
    public const string Glooko = "glooko";
    public const string CareLink = "carelink";
    public const string Tandem = "tandem";
    public const string MyFitnessPal = "myfitnesspal";

    public static IReadOnlyList<string> All { get; } = [DexcomShare, LibreLinkUp, Nightscout, Tidepool, Glooko, CareLink, Tandem, MyFitnessPal];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind, StringComparer.Ordinal);

    /// <summary>A site-scoped key (<see cref="Tenants.SiteGrainKeys"/>), so that deleting the site finds the connector's state and reminder.</summary>
    public static string Key(string site, string kind) => Tenants.SiteGrainKeys.For(site, kind);

    public static (string Site, string Kind) ParseKey(string key)
    {
        var site = Tenants.SiteGrainKeys.SiteOf(key);
        return site.Length == key.Length ? throw new ArgumentException($"'{key}' is not a connector key", nameof(key)) : (site, key[(site.Length + 1)..]);
    }
}
