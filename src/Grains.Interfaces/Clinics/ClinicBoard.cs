namespace Nocturne.Grains.Interfaces.Clinics;

/// <summary>Every patient who shares with a clinic, most urgent first.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.ClinicBoard")]
public sealed record ClinicBoard(
    [property: Id(0)] string Clinic,
    [property: Id(1)] long GeneratedAt,
    [property: Id(2)] IReadOnlyList<ClinicBoardPatient> Patients);
