namespace Nocturne.Grains.Interfaces.Authorization;

/// <summary>
/// A subject (person or device) of one site. Its access token is stored only hashed, so it is
/// returned once, when the subject is created (<see cref="SubjectCreated"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.AuthSubject")]
public sealed record AuthSubject(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] string? Notes,
    [property: Id(4)] string AccessTokenPrefix,
    [property: Id(5)] DateTimeOffset CreatedAt);
