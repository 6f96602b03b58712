using System.Text.Json.Serialization;
using Nocturne.Api.Configuration;
using Nocturne.Grains.Interfaces;

namespace Nocturne.Api.Apis;

/// <summary>The body of <c>/api/v1/status.json</c>, field for field as the reference server writes it.</summary>
public sealed record StatusDocument(
    string Status,
    string Name,
    string Version,
    string NocturneVersion,
    string ServerTime,
    long ServerTimeEpoch,
    bool ApiEnabled,
    bool CareportalEnabled,
    bool BoluscalcEnabled,
    Dictionary<string, object?> Settings,
    Dictionary<string, object?> ExtendedSettings,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Authorized,
    string RuntimeState)
{
    /// <summary>The site's alarm state (Nocturne's addition), for callers that may read its data.</summary>
    public System.Text.Json.Nodes.JsonObject? Alarms { get; init; }

    public static StatusDocument From(SiteSettings settings, DateTimeOffset now, object? authorized, int authFailDelayMs) => new(
        Status: "ok",
        Name: NightscoutCompatibility.ServerName,
        Version: NightscoutCompatibility.Version,
        NocturneVersion: NightscoutCompatibility.NocturneVersion,
        ServerTime: now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ServerTimeEpoch: now.ToUnixTimeMilliseconds(),
        // The reference always reports true here (it tests a function, not the flag); clients rely on it.
        ApiEnabled: true,
        CareportalEnabled: settings.Enable.Contains("careportal"),
        BoluscalcEnabled: settings.Enable.Contains("boluscalc"),
        Settings: SettingsView(settings, authFailDelayMs),
        ExtendedSettings: new Dictionary<string, object?> { ["devicestatus"] = new { advanced = true, days = 1 } },
        Authorized: authorized,
        RuntimeState: "loaded");

    private static Dictionary<string, object?> SettingsView(SiteSettings s, int authFailDelayMs) => new()
    {
        ["units"] = s.Units,
        ["timeFormat"] = s.TimeFormat,
        ["dayStart"] = s.DayStart,
        ["dayEnd"] = s.DayEnd,
        ["nightMode"] = s.NightMode,
        ["editMode"] = s.EditMode is not ("off" or "false"),
        ["showRawbg"] = "never",
        ["customTitle"] = s.CustomTitle,
        ["theme"] = s.Theme,
        ["alarmUrgentHigh"] = s.AlarmUrgentHigh,
        ["alarmUrgentHighMins"] = new[] { 30, 60, 90, 120 },
        ["alarmHigh"] = s.AlarmHigh,
        ["alarmHighMins"] = new[] { 30, 60, 90, 120 },
        ["alarmLow"] = s.AlarmLow,
        ["alarmLowMins"] = new[] { 15, 30, 45, 60 },
        ["alarmUrgentLow"] = s.AlarmUrgentLow,
        ["alarmUrgentLowMins"] = new[] { 15, 30, 45 },
        ["alarmUrgentMins"] = new[] { 30, 60, 90, 120 },
        ["alarmWarnMins"] = new[] { 30, 60, 90, 120 },
        ["alarmTimeagoWarn"] = s.AlarmTimeagoWarn,
        ["alarmTimeagoWarnMins"] = s.AlarmTimeagoWarnMins,
        ["alarmTimeagoUrgent"] = s.AlarmTimeagoUrgent,
        ["alarmTimeagoUrgentMins"] = s.AlarmTimeagoUrgentMins,
        ["alarmPumpBatteryLow"] = false,
        ["language"] = s.Language,
        ["scaleY"] = "log",
        ["showPlugins"] = s.ShowPlugins,
        ["showForecast"] = s.ShowForecast,
        ["focusHours"] = s.FocusHours,
        ["heartbeat"] = s.HeartbeatSeconds,
        ["baseURL"] = s.BaseUrl,
        ["authDefaultRoles"] = string.Join(' ', s.AuthDefaultRoles),
        ["thresholds"] = new
        {
            bgHigh = s.Thresholds.BgHigh,
            bgTargetTop = s.Thresholds.BgTargetTop,
            bgTargetBottom = s.Thresholds.BgTargetBottom,
            bgLow = s.Thresholds.BgLow,
        },
        ["insecureUseHttp"] = s.InsecureUseHttp,
        ["secureHstsHeader"] = true,
        ["secureHstsHeaderIncludeSubdomains"] = false,
        ["secureHstsHeaderPreload"] = false,
        ["secureCsp"] = false,
        ["deNormalizeDates"] = false,
        ["showClockDelta"] = false,
        ["showClockLastTime"] = false,
        ["frameUrl1"] = "",
        ["DEFAULT_FEATURES"] = NightscoutCompatibility.DefaultFeatures,
        ["alarmTypes"] = s.AlarmTypes,
        ["enable"] = s.Enable,
        ["authFailDelay"] = authFailDelayMs,
        ["adminNotifiesEnabled"] = true,
        ["authenticationPromptOnLoad"] = false,
    };
}
