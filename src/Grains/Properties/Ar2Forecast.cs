using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces;

namespace Nocturne.Grains.Properties;

/// <summary>
/// The reference's <c>ar2</c> property: a second-order autoregressive forecast in log space from
/// the current bucket mean and the mean five minutes ago (coefficients -0.723 and 1.716 around
/// 140 mg/dL), six points five minutes apart, and an alarm level from their mean squared log
/// distance to 120 mg/dL (warn above 0.05, urgent above 0.10).
/// </summary>
public static class Ar2Forecast
{
    private const double BgRef = 140;
    private const double BgMin = 36;
    private const double BgMax = 400;
    private const double WarnThreshold = 0.05;
    private const double UrgentThreshold = 0.10;
    private const double ArPrevious = -0.723;
    private const double ArCurrent = 1.716;
    private const long FiveMinutes = 5 * 60_000;
    private const int LevelWarn = 1;
    private const int LevelUrgent = 2;

    public static JsonObject Compute(JsonObject? bgnow, JsonObject? delta, SiteSettings settings, long nowMs)
    {
        var predicted = new JsonArray();
        var avgLoss = 0.0;
        if (bgnow?["mean"] is JsonValue meanNode && meanNode.GetValue<double>() is var mean && mean >= BgMin
            && delta?["mean5MinsAgo"] is JsonValue agoNode && agoNode.GetValue<double>() is var mean5MinsAgo && mean5MinsAgo != 0 && !double.IsNaN(mean5MinsAgo))
        {
            var time = bgnow["mills"] is JsonValue mills ? mills.GetValue<long>() : nowMs;
            var previous = Math.Log(mean5MinsAgo / BgRef);
            var current = Math.Log(mean / BgRef);
            var points = new List<double>();
            for (var step = 0; step < 6; step++)
            {
                (previous, current) = (current, (ArPrevious * previous) + (ArCurrent * current));
                time += FiveMinutes;
                var mgdl = Math.Max(BgMin, Math.Min(BgMax, GlucoseUnits.JsRound(BgRef * Math.Exp(current))));
                points.Add(mgdl);
                predicted.Add(new JsonObject
                {
                    ["mills"] = time + 2000,
                    ["mgdl"] = mgdl,
                    ["color"] = "cyan",
                    ["scaled"] = GlucoseUnits.Scale(mgdl, settings.Units),
                });
            }

            var size = Math.Min(points.Count - 1, 6);
            for (var j = 0; j <= size; j++)
            {
                avgLoss += 1.0 / size * Math.Pow(Math.Log10(points[j] / 120), 2);
            }
        }

        var result = new JsonObject { ["forecast"] = new JsonObject { ["predicted"] = predicted, ["avgLoss"] = avgLoss } };
        var level = avgLoss > UrgentThreshold ? LevelUrgent : avgLoss > WarnThreshold ? LevelWarn : 0;
        if (level > 0)
        {
            result["level"] = level;
            result["eventName"] = EventName(predicted, settings);
        }

        if (predicted.Count >= 3)
        {
            result["displayLine"] = $"BG 15m: {((double)predicted[2]!["scaled"]!).ToString(CultureInfo.InvariantCulture)} {(settings.Units == "mmol" ? "mmol/L" : "mg/dl")}";
        }

        return result;
    }

    // The 20-minute point against the target range, when that alarm is on.
    private static string EventName(JsonArray predicted, SiteSettings settings)
    {
        if (predicted.Count < 4)
        {
            return "";
        }

        var in20 = (double)predicted[3]!["scaled"]!;
        if (settings.AlarmHigh && in20 > GlucoseUnits.Scale(settings.Thresholds.BgTargetTop, settings.Units))
        {
            return "high";
        }

        return settings.AlarmLow && in20 < GlucoseUnits.Scale(settings.Thresholds.BgTargetBottom, settings.Units) ? "low" : "";
    }
}
