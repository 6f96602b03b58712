namespace Nocturne.Api.Tenancy;

/// <summary>The site a request addresses, or null when it addresses none (multi-tenant, no host or prefix match).</summary>
public sealed record SiteFeature(string? SiteId);
