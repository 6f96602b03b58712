namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>A stored document as it travels between grains: its columns and its fields as JSON.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.DocumentSnapshot")]
public sealed record DocumentSnapshot(
    [property: Id(0)] string Identifier,
    [property: Id(1)] string ObjectId,
    [property: Id(2)] long DateMs,
    [property: Id(3)] string? Type,
    [property: Id(4)] long SrvCreated,
    [property: Id(5)] long SrvModified,
    [property: Id(6)] bool IsValid,
    [property: Id(7)] string Json);
