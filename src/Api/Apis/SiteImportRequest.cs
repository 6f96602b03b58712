namespace Nocturne.Api.Apis;

/// <summary>
/// The body of <c>POST /api/admin/tenants/{id}/imports</c>: a source site's MongoDB
/// (<see cref="MongoUrl"/>, with <see cref="Database"/> when the URL names none) and the source's
/// API secret (<see cref="SourceApiSecret"/>, or its SHA-1 hex) so that its access tokens keep
/// working here. <see cref="ToString"/> names no secret.
/// </summary>
public sealed record SiteImportRequest(string? MongoUrl, string? Database, string? SourceApiSecret, bool Restart = false)
{
    public override string ToString() => $"SiteImportRequest({Database})";
}
