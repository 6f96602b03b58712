namespace Nocturne.Api.Apis;

/// <summary>
/// The body of <c>POST /api/admin/tenants/{id}/import</c>: the source site's address and either an
/// access token (API v3) or its API secret (API v1); <c>restart</c> forgets the saved cursors. <see cref="ToString"/> names no secret.
/// </summary>
public sealed record ImportRequest(string? Url, string? Token, string? ApiSecret, bool Restart = false)
{
    public override string ToString() => $"ImportRequest({Url})";
}
