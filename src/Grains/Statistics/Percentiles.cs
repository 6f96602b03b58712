namespace Nocturne.Grains.Statistics;

/// <summary>
/// Percentiles by linear interpolation between closest ranks (Hyndman &amp; Fan type 7, the
/// default of R, NumPy and spreadsheet PERCENTILE.INC), so a report can be checked by hand.
/// </summary>
public static class Percentiles
{
    /// <param name="sorted">Values in ascending order; at least one.</param>
    /// <param name="p">Between 0 and 100.</param>
    public static double Of(IReadOnlyList<double> sorted, double p)
    {
        var rank = p / 100.0 * (sorted.Count - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
