using System.Collections.Concurrent;

namespace Nocturne.Api.Authorization;

/// <summary>
/// Refuses clients that keep presenting bad credentials, as the reference's <c>AUTH_FAIL_DELAY</c>
/// intends (default 5000 ms per recent failure, at most four times that), without its two harms:
/// only failing attempts are refused (a request with valid credentials is always served, so a
/// guesser behind the same proxy or NAT cannot stall the site's uploaders), and the refusal is an
/// immediate 429 with <c>Retry-After</c> instead of a sleeping connection, so parallel guessers
/// gain nothing by opening more connections. Keyed by site and client address.
/// </summary>
public sealed class AuthFailureThrottle(IConfiguration configuration, TimeProvider time)
{
    private const int MaxTrackedClients = 100_000;
    private static readonly TimeSpan Memory = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<(string Site, string Client), Failures> _failures = new();
    private readonly TimeSpan _delayPerFailure = TimeSpan.FromMilliseconds(Math.Max(0, configuration.GetValue("AUTH_FAIL_DELAY", 5000)));

    /// <summary>
    /// Records a failed attempt and says how long the client must wait before its next failing
    /// attempt is even answered; <see cref="TimeSpan.Zero"/> when this one may be answered 401.
    /// </summary>
    public TimeSpan RecordFailure(string site, string client)
    {
        if (_failures.Count >= MaxTrackedClients)
        {
            Prune();
        }

        var now = time.GetUtcNow();
        TimeSpan wait = TimeSpan.Zero;
        _failures.AddOrUpdate((site, client), _ => new Failures(1, now, now + _delayPerFailure), (_, f) =>
        {
            if (now - f.Last > Memory)
            {
                return new Failures(1, now, now + _delayPerFailure);
            }

            // Failures inside the penalty window are refused and do not extend it: the window only
            // grows with failures that were actually answered.
            wait = f.Until - now;
            return wait > TimeSpan.Zero
                ? f with { Last = now }
                : new Failures(f.Count + 1, now, now + (_delayPerFailure * Math.Min(f.Count + 1, 4)));
        });
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private void Prune()
    {
        var cutoff = time.GetUtcNow() - Memory;
        foreach (var (key, value) in _failures)
        {
            if (value.Last < cutoff)
            {
                _failures.TryRemove(key, out _);
            }
        }
    }

    private sealed record Failures(int Count, DateTimeOffset Last, DateTimeOffset Until);
}
