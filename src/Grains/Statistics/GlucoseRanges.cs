namespace Nocturne.Grains.Statistics;

/// <summary>
/// The international consensus ranges for CGM reporting (Battelino et al., Diabetes Care 2019),
/// in mg/dL. Readings are whole mg/dL on every CGM, so "54–69" means 54 ≤ v &lt; 70 and
/// "181–250" means 180 &lt; v ≤ 250; the bounds below say exactly that for converted values too.
/// </summary>
public static class GlucoseRanges
{
    public const double VeryLowBelow = 54;
    public const double LowBelow = 70;
    public const double InRangeUpTo = 180;
    public const double HighUpTo = 250;

    /// <summary>Below this a CGM value is a device code (Dexcom's 1–38), not a glucose reading.</summary>
    public const double SmallestReading = 39;

    public static GlucoseRange Of(double mgdl) => mgdl switch
    {
        < VeryLowBelow => GlucoseRange.VeryLow,
        < LowBelow => GlucoseRange.Low,
        <= InRangeUpTo => GlucoseRange.InRange,
        <= HighUpTo => GlucoseRange.High,
        _ => GlucoseRange.VeryHigh,
    };
}
