namespace Nocturne.Api.Apis;

/// <summary>A patient's invitation to a clinic: how long the share code stays usable (default 7 days, at most 30).</summary>
public sealed record ClinicInvitationRequest(int? ExpiresInHours);
