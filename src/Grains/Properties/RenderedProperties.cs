using Nocturne.Grains.Interfaces;

namespace Nocturne.Grains.Properties;

/// <summary>
/// The last /api/v2/properties answers of a site, as JSON, so that followers polling at once do
/// not each recompute them. An answer serves for at most <see cref="Fresh"/> (ages, the forecast
/// and iob depend on the clock; the reference's own answers lag by its data-load interval, far
/// more), and never after a change to the documents or the site's settings: an answer whose
/// computation a change overtook is not kept.
/// </summary>
public sealed class RenderedProperties
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    private const int Kept = 8;

    private readonly Dictionary<string, (SiteSettings Settings, DateTimeOffset At, string Json)> _answers = [];
    private long _generation;

    public async Task<string> GetOrComputeAsync(IReadOnlyList<string>? names, SiteSettings settings, DateTimeOffset now, Func<Task<string>> compute)
    {
        var key = names is null ? "*" : string.Join(',', names);
        if (_answers.TryGetValue(key, out var cached) && ReferenceEquals(cached.Settings, settings) && now >= cached.At && now - cached.At < Fresh)
        {
            return cached.Json;
        }

        var generation = _generation;
        var json = await compute();
        if (generation == _generation)
        {
            if (_answers.Count >= Kept)
            {
                _answers.Clear();
            }

            _answers[key] = (settings, now, json);
        }

        return json;
    }

    public void Clear()
    {
        _answers.Clear();
        _generation++;
    }
}
