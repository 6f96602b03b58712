using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// The fields of a Nightscout treatment that oref0 reads (boluses, carbs, temp basals). Absent
/// fields stay absent on the wire: oref0 treats a missing amount differently from a zero.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefTreatment")]
public sealed record OrefTreatment
{
    [Id(0), JsonPropertyName("created_at")] public required string CreatedAt { get; init; }
    [Id(1), JsonPropertyName("eventType")] public string? EventType { get; init; }
    [Id(2), JsonPropertyName("enteredBy")] public string? EnteredBy { get; init; }
    [Id(3), JsonPropertyName("insulin")] public double? Insulin { get; init; }
    [Id(4), JsonPropertyName("carbs")] public double? Carbs { get; init; }
    [Id(5), JsonPropertyName("duration")] public double? Duration { get; init; }
    [Id(6), JsonPropertyName("absolute")] public double? Absolute { get; init; }
    [Id(7), JsonPropertyName("rate")] public double? Rate { get; init; }
    [Id(8), JsonPropertyName("amount")] public double? Amount { get; init; }
    [Id(9), JsonPropertyName("timestamp")] public string? Timestamp { get; init; }
}
