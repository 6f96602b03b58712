namespace Nocturne.Grains.Interfaces.Authorization;

/// <summary>A named set of Shiro-style permissions. Built-in roles have <see cref="BuiltIn"/> set.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.AuthRole")]
public sealed record AuthRole(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Permissions,
    [property: Id(3)] string? Notes,
    [property: Id(4)] bool BuiltIn);
