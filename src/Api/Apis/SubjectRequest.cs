using System.Text.Json.Serialization;

namespace Nocturne.Api.Apis;

public sealed record SubjectRequest(
    [property: JsonPropertyName("_id")] string? Id,
    string? Name,
    IReadOnlyList<string>? Roles,
    string? Notes);
