using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>A bolus, or a 5-minute slice of a temp basal's difference from the schedule (negative below it).</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.InsulinDose")]
public sealed record InsulinDose(
    [property: Id(0), JsonPropertyName("date")] long Date,
    [property: Id(1), JsonPropertyName("insulin")] double Insulin);
