namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// The system clock moved by an offset a test sets: the whole host (API and grains) sees a later
/// "now" while timers and timestamps keep running, so health probes and Orleans are unaffected.
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
