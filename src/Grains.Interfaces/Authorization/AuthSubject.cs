namespace Nocturne.Grains.Interfaces.Authorization;

/// <summary>
/// A subject (person or device) of one site. Its access token is looked up by hash; it is listed
/// again (<see cref="AccessToken"/>) only when the deployment keeps tokens encrypted.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.AuthSubject")]
public sealed record AuthSubject(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] string? Notes,
    [property: Id(4)] string AccessTokenPrefix,
    [property: Id(5)] DateTimeOffset CreatedAt)
{
    /// <summary>The subject's token for an admin's listing, as the reference lists it; null when not kept.</summary>
    [Id(6)] public string? AccessToken { get; init; }

    // Records print every property: a token must never reach a log line.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Name = ").Append(Name);
        return true;
    }
}
