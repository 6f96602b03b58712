namespace Nocturne.Grains.Clinics;

/// <summary>One thing a clinic did with a patient's data (shared, board, chart, report, revoked).</summary>
public sealed record ClinicAuditEntry(DateTimeOffset At, string Clinic, string? Subject, string Action);
