using System.Text.Json;

namespace Nocturne.OrefBench;

/// <summary>Call latency figures in microseconds.</summary>
public sealed record Latency(int Calls, double Mean, double P50, double P99)
{
    public static Latency Of(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        double At(double p) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];
        return new Latency(sorted.Count, sorted.Average(), At(0.5), At(0.99));
    }

    public static Latency From(JsonElement node) =>
        new(node.GetProperty("calls").GetInt32(), node.GetProperty("meanUs").GetDouble(), node.GetProperty("p50Us").GetDouble(), node.GetProperty("p99Us").GetDouble());
}
