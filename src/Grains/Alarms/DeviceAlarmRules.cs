using System.Globalization;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Alarms;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// The reference's device plugins' alarms over what the device statuses said: pump (reservoir,
/// battery, stale pump clock, optionally suspended; group "Pump"), openaps and loop (no successful
/// loop for the warn/urgent minutes; groups "OpenAPS" and "Loop") and upbat (the lowest recent
/// uploader battery; group "Uploader Battery"). Each needs its plugin enabled and its
/// <c>*_ENABLE_ALERTS</c>, as in the reference.
/// </summary>
public static class DeviceAlarmRules
{
    public const string PumpGroup = "Pump";
    public const string OpenApsGroup = "OpenAPS";
    public const string LoopGroup = "Loop";
    public const string UploaderGroup = "Uploader Battery";

    // The reference compares uploader samples within 10 minutes of each device's newest.
    private const long UploaderRecentMs = 10 * 60_000;

    public static IEnumerable<AlarmNotice> Evaluate(SiteSettings settings, SiteAlarmState state, long nowMs)
    {
        var s = settings.DeviceAlarms;
        bool On(string plugin, bool alerts) => alerts && settings.Enable.Contains(plugin);
        if (On("pump", s.PumpEnableAlerts) && state.Pump is { } pump && Pump(s, pump, nowMs) is { } pumpNotice)
        {
            yield return pumpNotice;
        }

        if (On("openaps", s.OpenapsEnableAlerts) && state.OpenApsLoopMs is { } openApsLoop
            && NotLooping(openApsLoop, s.OpenapsWarn, s.OpenapsUrgent, nowMs) is { } openApsLevel)
        {
            yield return new AlarmNotice(openApsLevel, OpenApsGroup, "OpenAPS isn't looping", $"Last Loop: {AlarmTimeAgo.Format(openApsLoop, nowMs)}", "openaps", "openaps", openApsLoop);
        }

        if (On("loop", s.LoopEnableAlerts) && state.LoopSeenMs is not null && state.LoopOkMs is { } loopOk
            && NotLooping(loopOk, s.LoopWarn, s.LoopUrgent, nowMs) is { } loopLevel)
        {
            yield return new AlarmNotice(loopLevel, LoopGroup, "Loop isn't looping", $"Last Loop: {AlarmTimeAgo.Format(loopOk, nowMs)}", "loop", "loop", loopOk);
        }

        if (On("upbat", s.UpbatEnableAlerts) && Uploader(s, state, nowMs) is { } uploaderNotice)
        {
            yield return uploaderNotice;
        }
    }

    private static int? NotLooping(long lastLoopMs, int warnMinutes, int urgentMinutes, long nowMs) =>
        lastLoopMs + (urgentMinutes * 60_000L) < nowMs ? AlarmLevels.Urgent
        : lastLoopMs + (warnMinutes * 60_000L) < nowMs ? AlarmLevels.Warn
        : null;

    private static AlarmNotice? Pump(DeviceAlarmSettings s, PumpSnapshot pump, long nowMs)
    {
        // Reservoir, battery and suspension come from a status of the last two urgent-clock periods;
        // the pump's clock keeps alarming after that, for as long as the site's reminder runs.
        var recent = pump.Mills >= nowMs - (s.PumpUrgentClock * 2 * 60_000L) && pump.Mills <= nowMs;
        var fields = new List<(int Level, string Title)>();
        var lines = new List<string>();
        if (recent && pump.BatteryPercent is { } percent)
        {
            fields.Add((Below(percent, s.PumpUrgentBattP, s.PumpWarnBattP), "Pump Battery Low"));
            lines.Add($"Pump Battery: {percent.ToString(CultureInfo.InvariantCulture)}%");
        }
        else if (recent && pump.BatteryVoltage is { } volts)
        {
            fields.Add((Below(volts, s.PumpUrgentBattV, s.PumpWarnBattV), "Pump Battery Low"));
            lines.Add($"Pump Battery: {volts.ToString(CultureInfo.InvariantCulture)}v");
        }

        if (recent && pump.Reservoir is { } reservoir)
        {
            // The reference lists the reservoir first when it picks the title.
            fields.Insert(0, (Below(reservoir, s.PumpUrgentRes, s.PumpWarnRes), "Pump Reservoir Low"));
            lines.Add($"Pump Reservoir: {ThreeDigits(reservoir)}U");
        }

        if (pump.ClockMs is { } clock)
        {
            fields.Add((NotLooping(clock, s.PumpWarnClock, s.PumpUrgentClock, nowMs) ?? 0, "Pump data stale"));
        }

        if (recent && s.PumpWarnOnSuspend && pump.Suspended)
        {
            fields.Add((AlarmLevels.Warn, "Pump Suspended"));
        }

        var (level, title) = fields.Aggregate((Level: 0, Title: ""), (worst, field) => field.Level > worst.Level ? field : worst);
        if (level == 0)
        {
            return null;
        }

        if (title != "Pump Suspended")
        {
            title = level == AlarmLevels.Urgent ? $"URGENT: {title}" : $"Warning, {title}";
        }

        var message = lines.Count > 0 ? string.Join('\n', lines) : $"Last Clock: {AlarmTimeAgo.Format(pump.OrderMs, nowMs)}";
        return new AlarmNotice(level, PumpGroup, title, message, "pump", "pump", pump.OrderMs);
    }

    private static AlarmNotice? Uploader(DeviceAlarmSettings s, SiteAlarmState state, long nowMs)
    {
        var recent = state.Uploaders.Where(u => u.Mills <= nowMs && u.Mills >= nowMs - DeviceStatusReader.UploaderWindowMs).ToList();
        var lowest = recent.GroupBy(u => u.Device)
            .Select(device =>
            {
                var newest = device.Max(u => u.Mills);
                return device.Where(u => u.Mills > newest - UploaderRecentMs && u.Battery is not null).MinBy(u => u.Battery!.Value);
            })
            .OfType<UploaderBatterySample>()
            .ToList();
        if (lowest.MinBy(u => u.Battery!.Value) is not { Battery: { } battery } min)
        {
            return null;
        }

        var level = battery <= s.UpbatUrgent ? AlarmLevels.Urgent : battery <= s.UpbatWarn ? AlarmLevels.Warn : 0;
        if (level == 0)
        {
            return null;
        }

        var message = string.Join("; ", lowest.Select(u => $"{u.Device} {u.Battery!.Value.ToString(CultureInfo.InvariantCulture)}%{(u.Charging ? "⚡" : "")}"
            + (u.Voltage is { } v ? $" ({v.ToString("0.000", CultureInfo.InvariantCulture)}v)" : "")));
        return new AlarmNotice(level, UploaderGroup, $"{AlarmLevels.Display(level)} Uploader Battery is Low", message, "upbat", "upbat", min.Mills);
    }

    private static int Below(double value, double urgent, double warn) =>
        value < urgent ? AlarmLevels.Urgent : value < warn ? AlarmLevels.Warn : 0;

    // JavaScript's toPrecision(3) for the values a reservoir holds.
    private static string ThreeDigits(double value)
    {
        var integerDigits = value == 0 ? 1 : (int)Math.Floor(Math.Log10(Math.Abs(value))) + 1;
        return value.ToString("F" + Math.Clamp(3 - integerDigits, 0, 15).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
