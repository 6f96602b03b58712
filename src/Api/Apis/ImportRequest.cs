namespace Nocturne.Api.Apis;

/// <summary>
/// The body of <c>POST /api/admin/tenants/{id}/import</c>: the source site's address and either an
/// access token (API v3) or its API secret (API v1). <see cref="ToString"/> names no secret.
/// </summary>
public sealed record ImportRequest(string? Url, string? Token, string? ApiSecret)
{
    public override string ToString() => $"ImportRequest({Url})";
}
