namespace Nocturne.Grains.Interfaces.Authorization;

/// <summary>
/// What a request presented, raw: a bearer JWT, an <c>api-secret</c> header or <c>?secret=</c>
/// (SHA1/SHA512 hex of the API secret, or an access token), and <c>?token=</c> (an access
/// token or a JWT). Never logged.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.Credentials")]
public sealed record Credentials(
    [property: Id(0)] string? BearerJwt,
    [property: Id(1)] string? ApiSecret,
    [property: Id(2)] string? Token)
{
    public static Credentials None { get; } = new(null, null, null);

    public bool IsEmpty => BearerJwt is null && ApiSecret is null && Token is null;

    // Credentials must never reach a log through a record's generated ToString.
    public override string ToString() => IsEmpty ? "Credentials(none)" : "Credentials(redacted)";
}
