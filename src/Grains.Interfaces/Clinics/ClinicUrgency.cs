namespace Nocturne.Grains.Interfaces.Clinics;

/// <summary>How urgently a followed patient needs a look, most urgent first (the board's sort order).</summary>
[GenerateSerializer, Alias("nocturne.ClinicUrgency")]
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ClinicUrgency>))]
public enum ClinicUrgency
{
    UrgentLow,
    Low,
    Stale,
    UrgentHigh,
    High,
    InRange,
}
