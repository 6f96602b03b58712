namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>A new site and its API secret, which is stored only hashed and shown this once.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.SiteCreated")]
public sealed record SiteCreated([property: Id(0)] SiteSummary Site, [property: Id(1)] string ApiSecret)
{
    public override string ToString() => $"SiteCreated({Site.Id})";
}
