namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>
/// A v3 write that was done: the fields the reference puts at the top level of its reply
/// (identifier, lastModified, isDeduplication, deduplicatedIdentifier), whether it created the
/// document, and the document as stored after a PATCH.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.V3Written")]
public sealed record V3Written(
    [property: Id(0)] string Identifier,
    [property: Id(1)] long? LastModified,
    [property: Id(2)] bool Created,
    [property: Id(3)] bool IsDeduplication = false,
    [property: Id(4)] string? DeduplicatedIdentifier = null,
    [property: Id(5)] string? DocumentJson = null);
