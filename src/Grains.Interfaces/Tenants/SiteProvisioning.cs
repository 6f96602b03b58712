namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>Everything needed to create (or, for the default site, re-apply) a site.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.SiteProvisioning")]
public sealed record SiteProvisioning(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string? ApiSecret,
    [property: Id(2)] SiteSettings Settings)
{
    public override string ToString() => $"SiteProvisioning({DisplayName}, secret {(ApiSecret is null ? "none" : "redacted")})";
}
