namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>Who is writing through v3 and which of the collection's permissions they hold.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.V3Caller")]
public sealed record V3Caller(
    [property: Id(0)] string? Subject,
    [property: Id(1)] bool CanCreate,
    [property: Id(2)] bool CanUpdate);
