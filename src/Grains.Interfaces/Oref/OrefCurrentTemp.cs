using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>The temp basal running on the pump: minutes left and U/h (0/0 for none).</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefCurrentTemp")]
public sealed record OrefCurrentTemp(
    [property: Id(0), JsonPropertyName("duration")] double Duration,
    [property: Id(1), JsonPropertyName("rate")] double Rate,
    [property: Id(2), JsonPropertyName("temp")] string Temp = "absolute")
{
    public static readonly OrefCurrentTemp None = new(0, 0);
}
