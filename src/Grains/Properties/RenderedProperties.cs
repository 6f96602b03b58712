using Nocturne.Grains.Interfaces;

namespace Nocturne.Grains.Properties;

/// <summary>
/// The last /api/v2/properties answers of a site, as UTF-8 JSON, so that followers polling do not each
/// recompute them. An answer serves until its <see cref="AnswerLifetime"/> ends (the next instant
/// at which a part that reads the clock, an age or a reading leaving the day, can differ: the
/// bytes are those a computation at that moment would give), or for at most <see cref="Fresh"/>
/// when a part moves with every instant (the profile's basal, iob from oref; the reference's own
/// answers lag by its data-load interval, far more). Never after a change to the documents or the
/// site's settings: an answer whose computation a change overtook is not kept.
/// </summary>
public sealed class RenderedProperties
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    private const int Kept = 8;

    private readonly Dictionary<string, (SiteSettings Settings, DateTimeOffset At, AnswerLifetime Lifetime, byte[] Json)> _answers = [];
    private long _generation;

    public ValueTask<byte[]> GetOrComputeAsync(IReadOnlyList<string>? names, SiteSettings settings, DateTimeOffset now, Func<AnswerLifetime, Task<byte[]>> compute)
    {
        var key = names is null ? "*" : string.Join(',', names);
        if (_answers.TryGetValue(key, out var cached) && ReferenceEquals(cached.Settings, settings) && Serves(cached.At, cached.Lifetime, now))
        {
            return ValueTask.FromResult(cached.Json);
        }

        return new ValueTask<byte[]>(ComputeAsync(key, settings, now, compute));
    }

    private async Task<byte[]> ComputeAsync(string key, SiteSettings settings, DateTimeOffset now, Func<AnswerLifetime, Task<byte[]>> compute)
    {
        var generation = _generation;
        var lifetime = new AnswerLifetime(now.ToUnixTimeMilliseconds());
        var json = await compute(lifetime);
        if (generation == _generation)
        {
            if (_answers.Count >= Kept)
            {
                _answers.Clear();
            }

            _answers[key] = (settings, now, lifetime, json);
        }

        return json;
    }

    public void Clear()
    {
        _answers.Clear();
        _generation++;
    }

    private static bool Serves(DateTimeOffset at, AnswerLifetime lifetime, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        return lifetime.EveryInstant
            ? now >= at && now - at < Fresh
            : nowMs >= lifetime.ComputedAtMs && nowMs < lifetime.EndMs;
    }
}
