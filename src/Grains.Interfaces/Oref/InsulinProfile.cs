using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>The insulin part of a therapy profile, in oref0's field names.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.InsulinProfile")]
public sealed record InsulinProfile(
    [property: Id(0), JsonPropertyName("dia")] double Dia,
    [property: Id(1), JsonPropertyName("curve")] string? Curve = null,
    [property: Id(2), JsonPropertyName("useCustomPeakTime")] bool? UseCustomPeakTime = null,
    [property: Id(3), JsonPropertyName("insulinPeakTime")] double? InsulinPeakTime = null);
