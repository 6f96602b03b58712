using System.Globalization;
using Nocturne.Grains.Interfaces;

namespace Nocturne.Api.Configuration;

/// <summary>
/// Reads a site's settings from the Nightscout environment variables (DISPLAY_UNITS,
/// ENABLE, BG_HIGH, ...), so that an existing Nightscout configuration carries over as is.
/// </summary>
public static class SiteSettingsConfiguration
{
    public static SiteSettings FromConfiguration(IConfiguration configuration)
    {
        var defaults = new SiteSettings();
        var thresholds = new GlucoseThresholds
        {
            BgHigh = Int(configuration, "BG_HIGH", defaults.Thresholds.BgHigh),
            BgTargetTop = Int(configuration, "BG_TARGET_TOP", defaults.Thresholds.BgTargetTop),
            BgTargetBottom = Int(configuration, "BG_TARGET_BOTTOM", defaults.Thresholds.BgTargetBottom),
            BgLow = Int(configuration, "BG_LOW", defaults.Thresholds.BgLow),
        };
        if (!(thresholds.BgLow < thresholds.BgTargetBottom && thresholds.BgTargetBottom < thresholds.BgTargetTop && thresholds.BgTargetTop < thresholds.BgHigh))
        {
            throw new InvalidOperationException(
                $"Thresholds must satisfy BG_LOW < BG_TARGET_BOTTOM < BG_TARGET_TOP < BG_HIGH (got {thresholds.BgLow}, {thresholds.BgTargetBottom}, {thresholds.BgTargetTop}, {thresholds.BgHigh})");
        }

        var units = (configuration["DISPLAY_UNITS"] ?? defaults.Units).Trim().ToLowerInvariant() switch
        {
            "mmol" or "mmol/l" => "mmol",
            "mg/dl" or "mgdl" or "" => "mg/dl",
            var other => throw new InvalidOperationException($"DISPLAY_UNITS must be mg/dl or mmol (got '{other}')"),
        };

        var alarmTypes = Split(configuration["ALARM_TYPES"]).Where(t => t is "predict" or "simple").ToList();
        if (alarmTypes.Count == 0)
        {
            alarmTypes = ThresholdKeys.Any(k => !string.IsNullOrEmpty(configuration[k])) ? ["simple"] : ["predict"];
        }

        var enable = Enable(Split(configuration["ENABLE"]), Split(configuration["DISABLE"]), alarmTypes);
        var roles = Split(configuration["AUTH_DEFAULT_ROLES"]);

        return defaults with
        {
            Units = units,
            CustomTitle = configuration["CUSTOM_TITLE"] ?? defaults.CustomTitle,
            TimeFormat = Int(configuration, "TIME_FORMAT", defaults.TimeFormat),
            Theme = configuration["THEME"] ?? defaults.Theme,
            Language = configuration["LANGUAGE"] ?? defaults.Language,
            Enable = enable,
            AlarmTypes = alarmTypes,
            AuthDefaultRoles = roles.Count > 0 ? roles : defaults.AuthDefaultRoles,
            Thresholds = thresholds,
            NightMode = Bool(configuration, "NIGHT_MODE", defaults.NightMode),
            ShowPlugins = configuration["SHOW_PLUGINS"] ?? defaults.ShowPlugins,
            ShowForecast = configuration["SHOW_FORECAST"] ?? defaults.ShowForecast,
            BaseUrl = configuration["BASE_URL"] ?? defaults.BaseUrl,
            AlarmUrgentHigh = Bool(configuration, "ALARM_URGENT_HIGH", defaults.AlarmUrgentHigh),
            AlarmHigh = Bool(configuration, "ALARM_HIGH", defaults.AlarmHigh),
            AlarmLow = Bool(configuration, "ALARM_LOW", defaults.AlarmLow),
            AlarmUrgentLow = Bool(configuration, "ALARM_URGENT_LOW", defaults.AlarmUrgentLow),
            DeviceAlarms = DeviceAlarms(configuration, enable),
        };
    }

    // The reference reads a plugin's extended settings only when the plugin is enabled.
    private static DeviceAlarmSettings DeviceAlarms(IConfiguration configuration, IReadOnlyList<string> enable)
    {
        var d = new DeviceAlarmSettings();
        var pump = enable.Contains("pump");
        var openaps = enable.Contains("openaps");
        var loop = enable.Contains("loop");
        var upbat = enable.Contains("upbat");
        int IntIf(bool on, string key, int fallback) => on ? Int(configuration, key, fallback) : fallback;
        double NumberIf(bool on, string key, double fallback) => on ? Number(configuration, key, fallback) : fallback;
        bool BoolIf(bool on, string key, bool fallback) => on ? Bool(configuration, key, fallback) : fallback;
        return d with
        {
            PumpEnableAlerts = BoolIf(pump, "PUMP_ENABLE_ALERTS", d.PumpEnableAlerts),
            PumpWarnClock = IntIf(pump, "PUMP_WARN_CLOCK", d.PumpWarnClock),
            PumpUrgentClock = IntIf(pump, "PUMP_URGENT_CLOCK", d.PumpUrgentClock),
            PumpWarnRes = NumberIf(pump, "PUMP_WARN_RES", d.PumpWarnRes),
            PumpUrgentRes = NumberIf(pump, "PUMP_URGENT_RES", d.PumpUrgentRes),
            PumpWarnBattV = NumberIf(pump, "PUMP_WARN_BATT_V", d.PumpWarnBattV),
            PumpUrgentBattV = NumberIf(pump, "PUMP_URGENT_BATT_V", d.PumpUrgentBattV),
            PumpWarnBattP = NumberIf(pump, "PUMP_WARN_BATT_P", d.PumpWarnBattP),
            PumpUrgentBattP = NumberIf(pump, "PUMP_URGENT_BATT_P", d.PumpUrgentBattP),
            PumpWarnOnSuspend = BoolIf(pump, "PUMP_WARN_ON_SUSPEND", d.PumpWarnOnSuspend),
            OpenapsEnableAlerts = BoolIf(openaps, "OPENAPS_ENABLE_ALERTS", d.OpenapsEnableAlerts),
            OpenapsWarn = IntIf(openaps, "OPENAPS_WARN", d.OpenapsWarn),
            OpenapsUrgent = IntIf(openaps, "OPENAPS_URGENT", d.OpenapsUrgent),
            LoopEnableAlerts = BoolIf(loop, "LOOP_ENABLE_ALERTS", d.LoopEnableAlerts),
            LoopWarn = IntIf(loop, "LOOP_WARN", d.LoopWarn),
            LoopUrgent = IntIf(loop, "LOOP_URGENT", d.LoopUrgent),
            UpbatEnableAlerts = BoolIf(upbat, "UPBAT_ENABLE_ALERTS", d.UpbatEnableAlerts),
            UpbatWarn = NumberIf(upbat, "UPBAT_WARN", d.UpbatWarn),
            UpbatUrgent = NumberIf(upbat, "UPBAT_URGENT", d.UpbatUrgent),
        };
    }

    private static readonly string[] ThresholdKeys = ["BG_HIGH", "BG_TARGET_TOP", "BG_TARGET_BOTTOM", "BG_LOW"];

    /// <summary>
    /// The enabled features as the reference builds them: ENABLE, then treatmentnotify when an
    /// announcing plugin is on, then the default features, then the alarm type's plugin
    /// (<c>ar2</c> for predict, <c>simplealarms</c> for simple); DISABLE removes any of them.
    /// </summary>
    public static List<string> Enable(IReadOnlyList<string> enable, IReadOnlyList<string> disable, IReadOnlyList<string> alarmTypes)
    {
        var result = enable.ToList();
        if (result.Any(e => e is "careportal" or "pushover" or "maker"))
        {
            result.Add("treatmentnotify");
        }

        result.AddRange(NightscoutCompatibility.DefaultFeatures);
        if (alarmTypes.Contains("simple"))
        {
            result.Add("simplealarms");
        }

        if (alarmTypes.Contains("predict"))
        {
            result.Add("ar2");
        }

        return result.Distinct(StringComparer.Ordinal).Where(e => !disable.Contains(e)).ToList();
    }

    // Nightscout splits ENABLE and AUTH_DEFAULT_ROLES on spaces, commas and colons.
    private static List<string> Split(string? value) =>
        (value ?? "").Split([' ', ',', ':', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static int Int(IConfiguration configuration, string key, int fallback) =>
        configuration[key] is { Length: > 0 } raw
            ? int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InvalidOperationException($"{key} must be a whole number (got '{raw}')")
            : fallback;

    private static double Number(IConfiguration configuration, string key, double fallback) =>
        configuration[key] is { Length: > 0 } raw
            ? double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                ? value
                : throw new InvalidOperationException($"{key} must be a number (got '{raw}')")
            : fallback;

    private static bool Bool(IConfiguration configuration, string key, bool fallback) =>
        configuration[key] is { Length: > 0 } raw
            ? raw.Trim().ToLowerInvariant() switch
            {
                "true" or "on" or "1" or "yes" => true,
                "false" or "off" or "0" or "no" => false,
                _ => throw new InvalidOperationException($"{key} must be true or false (got '{raw}')"),
            }
            : fallback;
}
