using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Tenants;

/// <summary>A row of <c>tenants</c>: the site, its hashed credentials and its settings.</summary>
public sealed record TenantRecord(
    string Id,
    string DisplayName,
    bool Enabled,
    DateTimeOffset CreatedAt,
    byte[] SecretSalt,
    byte[]? SecretSha1Hash,
    byte[]? SecretSha512Hash,
    byte[] JwtKey,
    SiteSettings Settings)
{
    public SiteSummary ToSummary() => new(Id, DisplayName, Enabled, CreatedAt, SecretSha1Hash is not null);

    public override string ToString() => $"TenantRecord({Id})";
}
