using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Grains.Tenants;

/// <summary>A row of <c>auth_subjects</c>: the token's hashes for lookups, and the token encrypted (when a key is configured) for listings.</summary>
public sealed record SubjectRecord(
    string Id,
    string Name,
    IReadOnlyList<string> Roles,
    string? Notes,
    string TokenPrefix,
    byte[] TokenSuffixHash,
    byte[] TokenSha1Hash,
    DateTimeOffset CreatedAt,
    byte[]? TokenEncrypted = null)
{
    public AuthSubject ToSubject() => new(Id, Name, Roles, Notes, TokenPrefix, CreatedAt);
}
