namespace Nocturne.Grains.Interfaces.Authorization;

/// <summary>The reply of <c>/api/v2/authorization/request/{accessToken}</c>.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.IssuedJwt")]
public sealed record IssuedJwt(
    [property: Id(0)] string Token,
    [property: Id(1)] string Sub,
    [property: Id(2)] IReadOnlyList<IReadOnlyList<string>> PermissionGroups,
    [property: Id(3)] long Iat,
    [property: Id(4)] long Exp);
