namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>
/// The result of a write. When <see cref="Error"/> is set nothing was stored; otherwise
/// <see cref="ResponseJson"/> is the JSON array the v1 API answers, in input order, and
/// every document in it is durable in PostgreSQL.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.WriteOutcome")]
public sealed record WriteOutcome(
    [property: Id(0)] string? ResponseJson,
    [property: Id(1)] string? Error,
    [property: Id(2)] string? ErrorDescription)
{
    public static WriteOutcome Invalid(string message, string? description = null) => new(null, message, description);
}
