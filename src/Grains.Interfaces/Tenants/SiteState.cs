namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// What a site's document writer needs to know of the site: whether it serves data, its settings,
/// and which creation of the site this is (<see cref="Incarnation"/> changes when a deleted id is
/// created again, so that nothing kept in memory for the old site survives into the new one).
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.SiteState")]
public sealed record SiteState(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] SiteSettings Settings,
    [property: Id(2)] long Incarnation);
