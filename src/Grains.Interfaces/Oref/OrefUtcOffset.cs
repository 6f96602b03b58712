using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// One entry of a zone's offset table for oref: from <see cref="Since"/> (epoch ms) on, local time
/// is UTC plus <see cref="Offset"/> minutes.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefUtcOffset")]
public sealed record OrefUtcOffset(
    [property: Id(0), JsonPropertyName("since")] long Since,
    [property: Id(1), JsonPropertyName("offset")] int Offset);
