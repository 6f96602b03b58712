namespace Nocturne.Grains.Interfaces.Clinics;

/// <summary>
/// One followed patient on a clinic's board. Glucose in mg/dL (with the patient's display units);
/// time in range (70–180 mg/dL, percent of readings over the last 24 hours and 14 days) is null
/// when the patient has no readings in that period.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.ClinicBoardPatient")]
public sealed record ClinicBoardPatient(
    [property: Id(0)] string Site,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] ClinicUrgency Urgency,
    [property: Id(3)] double? Mgdl,
    [property: Id(4)] long? Mills,
    [property: Id(5)] string? Direction,
    [property: Id(6)] double? DeltaMgdl,
    [property: Id(7)] int? AgeMinutes,
    [property: Id(8)] string Units,
    [property: Id(9)] double? InRange24Hours,
    [property: Id(10)] double? InRange14Days);
