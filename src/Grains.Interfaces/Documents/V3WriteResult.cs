namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>
/// The outcome of a v3 write: the HTTP status and the fields the reference puts at the top level
/// of its reply (identifier, lastModified, isDeduplication, deduplicatedIdentifier), or an error message.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.V3WriteResult")]
public sealed record V3WriteResult(
    [property: Id(0)] int Status,
    [property: Id(1)] string? Message,
    [property: Id(2)] string? Identifier,
    [property: Id(3)] long? LastModified,
    [property: Id(4)] bool IsDeduplication,
    [property: Id(5)] string? DeduplicatedIdentifier,
    [property: Id(6)] string? DocumentJson)
{
    public static V3WriteResult Error(int status, string? message = null) => new(status, message, null, null, false, null, null);
}
