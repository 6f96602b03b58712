namespace Nocturne.Grains.Clinics;

/// <summary>An invitation the patient made; the code itself is never stored, so it is not shown again.</summary>
public sealed record PendingInvitation(DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? AcceptedBy, DateTimeOffset? AcceptedAt);
