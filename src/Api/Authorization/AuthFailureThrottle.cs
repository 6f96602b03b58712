using System.Collections.Concurrent;

namespace Nocturne.Api.Authorization;

/// <summary>
/// Slows down clients that keep presenting bad credentials, as the reference server does
/// (<c>AUTH_FAIL_DELAY</c>, default 5000 ms per recent failure, at most four times that).
/// Keyed by site and client address: an abusive client slows down only its own requests
/// to that site, never other clients or other sites, and the wait is asynchronous.
/// </summary>
public sealed class AuthFailureThrottle(IConfiguration configuration, TimeProvider time)
{
    private const int MaxTrackedClients = 100_000;
    private static readonly TimeSpan Memory = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<(string Site, string Client), Failures> _failures = new();
    private readonly TimeSpan _delayPerFailure = TimeSpan.FromMilliseconds(Math.Max(0, configuration.GetValue("AUTH_FAIL_DELAY", 5000)));

    public TimeSpan DelayFor(string site, string client)
    {
        if (!_failures.TryGetValue((site, client), out var failures))
        {
            return TimeSpan.Zero;
        }

        if (time.GetUtcNow() - failures.Last > Memory)
        {
            _failures.TryRemove((site, client), out _);
            return TimeSpan.Zero;
        }

        return _delayPerFailure * Math.Min(failures.Count, 4);
    }

    public void RecordFailure(string site, string client)
    {
        if (_failures.Count >= MaxTrackedClients)
        {
            Prune();
        }

        var now = time.GetUtcNow();
        _failures.AddOrUpdate((site, client), _ => new Failures(1, now), (_, f) => new Failures(f.Count + 1, now));
    }

    public void RecordSuccess(string site, string client) => _failures.TryRemove((site, client), out _);

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

    private sealed record Failures(int Count, DateTimeOffset Last);
}
