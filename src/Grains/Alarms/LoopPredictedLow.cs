using System.Globalization;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Properties;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// A predicted low from the loop itself: while its device status is fresh, the lowest of its predicted
/// glucose over the next half hour (the ar2 forecast's horizon) below <c>BG_LOW</c> is urgent, below
/// <c>BG_TARGET_BOTTOM</c> a warning. The loop knows the insulin and carbs on board, which ar2's
/// extrapolation of the last two readings cannot.
/// </summary>
public static class LoopPredictedLow
{
    /// <summary>A loop runs every 5 minutes: a status older than two cycles is not a current forecast.</summary>
    public const long FreshMs = 10 * 60_000;

    private const long StepMs = 5 * 60_000;
    private const long HorizonMs = 30 * 60_000;

    public static bool IsFresh(SiteAlarmState state, long nowMs) =>
        state.Prediction is { } p && nowMs - p.Mills <= FreshMs && p.Mills <= nowMs + 60_000;

    public static AlarmNotice? Evaluate(SiteSettings settings, SiteAlarmState state, long nowMs)
    {
        if (!IsFresh(state, nowMs) || state.Prediction is not { } prediction)
        {
            return null;
        }

        var points = prediction.Values
            .Select((mgdl, i) => (Mills: prediction.StartMs + (i * StepMs), Mgdl: mgdl))
            .Where(p => p.Mills <= Math.Max(prediction.Mills, prediction.StartMs) + HorizonMs)
            .ToList();
        if (points.Count == 0)
        {
            return null;
        }

        var lowest = points.MinBy(p => p.Mgdl);
        var t = settings.Thresholds;
        var level = settings.AlarmUrgentLow && lowest.Mgdl < t.BgLow ? AlarmLevels.Urgent
            : settings.AlarmLow && lowest.Mgdl < t.BgTargetBottom ? AlarmLevels.Warn
            : 0;
        if (level == 0)
        {
            return null;
        }

        var units = settings.Units == "mmol" ? "mmol/L" : "mg/dl";
        var minutes = Math.Max(0, Math.Round((lowest.Mills - nowMs) / 60_000.0));
        var lines = new List<string>();
        if (state.Last is { } last && nowMs - last.Mills < 10 * 60_000)
        {
            lines.Add($"BG Now: {GlucoseUnits.Scale(last.Mgdl, settings.Units).ToString(CultureInfo.InvariantCulture)} {units}");
        }

        lines.Add($"{prediction.Source} predicts {GlucoseUnits.Scale(lowest.Mgdl, settings.Units).ToString(CultureInfo.InvariantCulture)} {units} in {minutes.ToString(CultureInfo.InvariantCulture)} min");
        return new AlarmNotice(level, AlarmLevels.DefaultGroup, $"{AlarmLevels.Display(level)}, LOW predicted", string.Join('\n', lines),
            prediction.Source == "Loop" ? "loop" : "openaps", "low", prediction.Mills);
    }
}
