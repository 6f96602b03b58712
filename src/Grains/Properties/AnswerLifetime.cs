namespace Nocturne.Grains.Properties;

/// <summary>
/// Until when a computed /api/v2/properties answer stays the answer, the site's data unchanged:
/// each part that reads the clock says when its value can next differ (an age's next whole hour,
/// a reading leaving the last 24 hours, a device status turning stale). A part whose value moves
/// with every instant (the profile's basal, iob computed by oref) makes the answer
/// <see cref="EveryInstant"/>. Serving an answer before its end gives the bytes a computation at
/// that moment would, so a site is computed once per change rather than once per read.
/// </summary>
public sealed class AnswerLifetime(long computedAtMs)
{
    /// <summary>The first instant (Unix ms) at which the answer may differ; long.MaxValue while nothing read the clock.</summary>
    public long EndMs { get; private set; } = long.MaxValue;

    public bool EveryInstant { get; private set; }

    public long ComputedAtMs { get; } = computedAtMs;

    /// <summary>A part's value may differ from <paramref name="ms"/> on (at or before it, never after).</summary>
    public void EndsBy(long ms) => EndMs = Math.Min(EndMs, Math.Max(ms, ComputedAtMs + 1));

    /// <summary>A part's value moves with the clock itself.</summary>
    public void MovesWithTheClock() => EveryInstant = true;
}
