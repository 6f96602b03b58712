using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>Sensitivity from 24 hours of readings and treatments (newest first) before <see cref="Clock"/>.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.AutosensRequest")]
public sealed record AutosensRequest(
    [property: Id(0), JsonPropertyName("glucose")] IReadOnlyList<OrefGlucose> Glucose,
    [property: Id(1), JsonPropertyName("history")] IReadOnlyList<OrefTreatment> History,
    [property: Id(2), JsonPropertyName("tempTargets")] IReadOnlyList<OrefTempTarget> TempTargets,
    [property: Id(3), JsonPropertyName("profile")] OrefProfile Profile,
    [property: Id(4), JsonPropertyName("clock")] long Clock,
    [property: Id(5), JsonPropertyName("utcOffset")] int UtcOffset,
    [property: Id(6), JsonPropertyName("utcOffsets")] IReadOnlyList<OrefUtcOffset>? UtcOffsets = null);
