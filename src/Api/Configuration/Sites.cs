namespace Nocturne.Api.Configuration;

/// <summary>Site identifiers. Until tenancy is configured, every request belongs to the default site.</summary>
public static class Sites
{
    public const string DefaultSiteId = "default";
}
