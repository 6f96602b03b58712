using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Properties;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// The reference's alarm plugins as pure rules over a site's newest readings and device statuses:
/// simplealarms (thresholds, readings under 10 minutes old), ar2 (forecast from the last two readings
/// five minutes apart, or the loop's own forecast while it is fresh), timeago (no reading for the
/// warn/urgent minutes, group "Time Ago"), and the pump, loop and uploader battery plugins.
/// </summary>
public static class SiteAlarmRules
{
    public const long DefaultSilenceMs = 30 * 60_000;
    public const string TimeAgoGroup = "Time Ago";
    private const long CurrentMs = 10 * 60_000;

    public static List<AlarmNotice> Evaluate(SiteSettings settings, SiteAlarmState state, long nowMs)
    {
        var notices = new List<AlarmNotice>();
        var last = state.Last;
        var current = last is not null && nowMs - last.Mills < CurrentMs && last.Mgdl > 39;
        if (current && settings.AlarmTypes.Contains("simple") && Simple(settings, last!) is { } simple)
        {
            notices.Add(simple);
        }

        if (settings.AlarmTypes.Contains("predict"))
        {
            // The loop's own forecast when it is fresh; ar2 otherwise, or when ar2 finds something worse.
            var ar2 = current ? Predicted(settings, state, nowMs) : null;
            var loop = LoopPredictedLow.Evaluate(settings, state, nowMs);
            if ((loop is not null && (ar2 is null || loop.Level >= ar2.Level) ? loop : ar2) is { } predicted)
            {
                notices.Add(predicted);
            }
        }

        if (last is not null && Stale(settings, last, nowMs) is { } stale)
        {
            notices.Add(stale);
        }

        notices.AddRange(DeviceAlarmRules.Evaluate(settings, state, nowMs));
        return notices;
    }

    private static AlarmNotice? Simple(SiteSettings settings, AlarmReading reading)
    {
        var t = settings.Thresholds;
        var (level, title, eventName) = (0, "", "");
        if (settings.AlarmUrgentHigh && reading.Mgdl > t.BgHigh)
        {
            (level, title, eventName) = (AlarmLevels.Urgent, "Urgent HIGH", "high");
        }
        else if (settings.AlarmHigh && reading.Mgdl > t.BgTargetTop)
        {
            (level, title, eventName) = (AlarmLevels.Warn, "Warning HIGH", "high");
        }

        if (settings.AlarmUrgentLow && reading.Mgdl < t.BgLow)
        {
            (level, title, eventName) = (AlarmLevels.Urgent, "Urgent LOW", "low");
        }
        else if (settings.AlarmLow && reading.Mgdl < t.BgTargetBottom)
        {
            (level, title, eventName) = (AlarmLevels.Warn, "Warning LOW", "low");
        }

        return level == 0 ? null : new AlarmNotice(level, AlarmLevels.DefaultGroup, title, BgNow(settings, reading), "simplealarms", eventName, reading.Mills);
    }

    private static AlarmNotice? Predicted(SiteSettings settings, SiteAlarmState state, long nowMs)
    {
        if (state.Previous is not { } previous || state.Last is not { } last || last.Mills - previous.Mills is < 150_000 or > 450_000)
        {
            return null;
        }

        var forecast = Ar2Forecast.Compute(new JsonObject { ["mean"] = last.Mgdl, ["mills"] = last.Mills }, new JsonObject { ["mean5MinsAgo"] = previous.Mgdl }, settings, nowMs);
        if (forecast["level"] is not JsonValue levelValue)
        {
            return null;
        }

        var level = levelValue.GetValue<int>();
        var eventName = (string?)forecast["eventName"] ?? "";
        var title = $"{AlarmLevels.Display(level)}, {(eventName.Length > 0 ? eventName.ToUpperInvariant() : "Check BG")}";
        if (last.Mgdl > settings.Thresholds.BgTargetBottom && last.Mgdl < settings.Thresholds.BgTargetTop)
        {
            title += " predicted";
        }

        var line = (string?)forecast["displayLine"];
        var message = line is null ? BgNow(settings, last) : $"{BgNow(settings, last)}\n{line}";
        return new AlarmNotice(level, AlarmLevels.DefaultGroup, title, message, "ar2", eventName, last.Mills);
    }

    private static AlarmNotice? Stale(SiteSettings settings, AlarmReading last, long nowMs)
    {
        var minutes = (nowMs - last.Mills) / 60_000;
        int level;
        if (settings.AlarmTimeagoUrgent && nowMs - last.Mills > settings.AlarmTimeagoUrgentMins * 60_000L)
        {
            level = AlarmLevels.Urgent;
        }
        else if (settings.AlarmTimeagoWarn && nowMs - last.Mills > settings.AlarmTimeagoWarnMins * 60_000L)
        {
            level = AlarmLevels.Warn;
        }
        else
        {
            return null;
        }

        return new AlarmNotice(level, TimeAgoGroup, "Stale data, check rig?",
            $"Last received: {minutes.ToString(CultureInfo.InvariantCulture)} mins ago", "timeago", "timeago", last.Mills);
    }

    private static string BgNow(SiteSettings settings, AlarmReading reading) =>
        $"BG Now: {GlucoseUnits.Scale(reading.Mgdl, settings.Units).ToString(CultureInfo.InvariantCulture)} {(settings.Units == "mmol" ? "mmol/L" : "mg/dl")}";
}
