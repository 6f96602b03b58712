namespace Nocturne.Grains.Clinics;

/// <summary>A clinic that follows a patient, since when.</summary>
public sealed record ClinicShare(string Clinic, DateTimeOffset GrantedAt);
