namespace Nocturne.Grains.Interfaces;

/// <summary>
/// The Nightscout "settings" of one site (one patient): what status.json reports and
/// what the client apps read to decide units, thresholds and enabled plugins.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.SiteSettings")]
public sealed record SiteSettings
{
    [Id(0)] public string Units { get; init; } = "mg/dl";
    [Id(1)] public string CustomTitle { get; init; } = "Nightscout";
    [Id(2)] public int TimeFormat { get; init; } = 12;
    [Id(3)] public string Theme { get; init; } = "default";
    [Id(4)] public string Language { get; init; } = "en";
    [Id(5)] public IReadOnlyList<string> Enable { get; init; } = [];
    [Id(6)] public IReadOnlyList<string> AuthDefaultRoles { get; init; } = ["readable"];
    [Id(7)] public GlucoseThresholds Thresholds { get; init; } = new();
    [Id(8)] public bool AlarmUrgentHigh { get; init; } = true;
    [Id(9)] public bool AlarmHigh { get; init; } = true;
    [Id(10)] public bool AlarmLow { get; init; } = true;
    [Id(11)] public bool AlarmUrgentLow { get; init; } = true;
    [Id(12)] public bool AlarmTimeagoWarn { get; init; } = true;
    [Id(13)] public int AlarmTimeagoWarnMins { get; init; } = 15;
    [Id(14)] public bool AlarmTimeagoUrgent { get; init; } = true;
    [Id(15)] public int AlarmTimeagoUrgentMins { get; init; } = 30;
    [Id(16)] public bool NightMode { get; init; }
    [Id(17)] public string ShowPlugins { get; init; } = "";
    [Id(18)] public string ShowForecast { get; init; } = "ar2";
    [Id(19)] public int FocusHours { get; init; } = 3;
    [Id(20)] public int HeartbeatSeconds { get; init; } = 60;
    [Id(21)] public string BaseUrl { get; init; } = "";
    [Id(22)] public bool InsecureUseHttp { get; init; } = true;
    [Id(23)] public int DayStart { get; init; } = 7;
    [Id(24)] public int DayEnd { get; init; } = 21;
    [Id(25)] public string EditMode { get; init; } = "on";
    /// <summary>The reference's alarm types: <c>predict</c> (the ar2 forecast) unless thresholds were set, then <c>simple</c>.</summary>
    [Id(26)] public IReadOnlyList<string> AlarmTypes { get; init; } = ["predict"];
    /// <summary>Pump, OpenAPS, Loop and uploader battery alarms (the reference's plugin settings).</summary>
    [Id(27)] public DeviceAlarmSettings DeviceAlarms { get; init; } = new();

    /// <summary>Answers cross origins (the reference's <c>ENABLE=cors</c>); the access grain's grants and the API's cors headers both ask here. A method, so that it is not stored with the settings.</summary>
    public bool AllowsCrossOrigin() => Enable.Contains("cors");
}
