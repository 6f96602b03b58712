namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>A site as the operator sees it; nothing secret.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.SiteSummary")]
public sealed record SiteSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] bool Enabled,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] bool HasApiSecret);
