using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>IOB of the doses every 5 minutes from <see cref="Time"/> (epoch ms), <see cref="Points"/> points.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.IobRequest")]
public sealed record IobRequest(
    [property: Id(0), JsonPropertyName("profile")] InsulinProfile Profile,
    [property: Id(1), JsonPropertyName("doses")] IReadOnlyList<InsulinDose> Doses,
    [property: Id(2), JsonPropertyName("time")] long Time,
    [property: Id(3), JsonPropertyName("points")] int Points = 1);
