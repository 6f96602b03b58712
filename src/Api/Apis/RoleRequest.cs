using System.Text.Json.Serialization;

namespace Nocturne.Api.Apis;

public sealed record RoleRequest(
    [property: JsonPropertyName("_id")] string? Id,
    string? Name,
    IReadOnlyList<string>? Permissions,
    string? Notes);
