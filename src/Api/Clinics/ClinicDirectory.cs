using System.Collections.Concurrent;
using Nocturne.Grains.Clinics;

namespace Nocturne.Api.Clinics;

/// <summary>
/// Which sites are clinics, cached for half a minute per silo: the guard against uploads to a
/// clinic asks on every write and must not add a database round trip to each upload. A site
/// becomes a clinic only when it is created as one, so the cache can only be stale for a site
/// created as a clinic on another silo in the last 30 s.
/// </summary>
public sealed class ClinicDirectory(ClinicStore store, TimeProvider time)
{
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (bool IsClinic, DateTimeOffset At)> _known = new(StringComparer.Ordinal);

    public async ValueTask<bool> IsClinicAsync(string site, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_known.TryGetValue(site, out var known) && now - known.At < Keep)
        {
            return known.IsClinic;
        }

        var isClinic = await store.IsClinicAsync(site, cancellationToken);
        if (_known.Count > 100_000)
        {
            _known.Clear();
        }

        _known[site] = (isClinic, now);
        return isClinic;
    }

    public void Remember(string clinic) => _known[clinic] = (true, time.GetUtcNow());
}
