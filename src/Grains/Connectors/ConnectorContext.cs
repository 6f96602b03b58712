using Nocturne.Grains.Interfaces.Connectors;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// What a source needs for one sync or login: the HTTP client (resilience pipeline included),
/// the configuration with its secrets decrypted for this call only, and a counter of vendor
/// requests for the status and the benchmark.
/// </summary>
public sealed class ConnectorContext(HttpClient http, ConnectorSettings settings, TimeProvider time)
{
    private int _requests;

    public HttpClient Http { get; } = http;

    public ConnectorSettings Settings { get; } = settings;

    public TimeProvider Time { get; } = time;

    public int Requests => _requests;

    /// <summary>The last session's token, even when expired: a vendor whose refresh tokens rotate keeps the newest one there.</summary>
    public string? PreviousSessionToken { get; set; }

    public void CountRequest() => Interlocked.Increment(ref _requests);
}
