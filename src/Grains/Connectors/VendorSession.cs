namespace Nocturne.Grains.Connectors;

/// <summary>
/// A logged-in session at the vendor: the token (kept encrypted in grain state), when it
/// expires when the vendor says so, and what else the source learnt at login (redirected host,
/// account id, chosen patient) so that polls do not log in again.
/// </summary>
public sealed record VendorSession(string Token, DateTimeOffset? Expires, IReadOnlyDictionary<string, string> Facts)
{
    public string? Fact(string name) => Facts.TryGetValue(name, out var value) ? value : null;
}
