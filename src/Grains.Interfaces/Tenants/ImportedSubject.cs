namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// A subject copied from another Nightscout site with its <c>_id</c> and the access token that site
/// derived for it, so that the token keeps working here. <see cref="ToString"/> names no token.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.ImportedSubject")]
public sealed record ImportedSubject(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] string? Notes,
    [property: Id(4)] string AccessToken,
    [property: Id(5)] DateTimeOffset CreatedAt)
{
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Name = ").Append(Name);
        return true;
    }
}
