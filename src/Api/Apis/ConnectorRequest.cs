namespace Nocturne.Api.Apis;

/// <summary>
/// The body of <c>PUT /api/v4/connectors/{kind}</c>. Left-out secrets keep the stored ones.
/// <see cref="ToString"/> names no secret, so that a logged request never shows one.
/// </summary>
public sealed record ConnectorRequest(
    bool? Enabled,
    string? Username,
    string? Password,
    string? Region,
    string? Url,
    string? Token,
    string? PatientId,
    int? IntervalSeconds,
    int? BackfillDays,
    string? TimeZone = null)
{
    public override string ToString() => $"ConnectorRequest(region {Region}, interval {IntervalSeconds})";
}
