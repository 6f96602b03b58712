using System.Collections.Concurrent;
using System.Diagnostics;

namespace Nocturne.Bench;

/// <summary>Collects request latencies and failures of one phase from many workers.</summary>
public sealed class LatencyRecorder
{
    private readonly ConcurrentBag<double> _millis = [];
    private int _failures;

    public int Failures => _failures;

    public int Count => _millis.Count;

    public async Task TimeAsync(Func<Task<bool>> request)
    {
        var started = Stopwatch.GetTimestamp();
        var ok = await request();
        _millis.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (!ok)
        {
            Interlocked.Increment(ref _failures);
        }
    }

    public double Rate(TimeSpan duration) => _millis.Count / duration.TotalSeconds;

    public double Percentile(double q)
    {
        var sorted = _millis.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    }

    public string Summary(TimeSpan duration)
    {
        var sorted = _millis.Order().ToArray();
        if (sorted.Length == 0)
        {
            return "no requests";
        }

        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return $"{sorted.Length} requests, {sorted.Length / duration.TotalSeconds:F0} req/s, p50 {P(0.50):F1} ms, p99 {P(0.99):F1} ms, max {sorted[^1]:F1} ms, {Failures} failed";
    }
}
