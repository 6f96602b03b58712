namespace Nocturne.Api.Configuration;

/// <summary>
/// The reference server version we answer as. Clients gate features on it (AAPS needs
/// 15.x for its v3 sync), so it names the Nightscout release whose API we match, not our own build.
/// </summary>
public static class NightscoutCompatibility
{
    public const string Version = "15.0.7";
    public const string ApiV3Version = "3.0.3-alpha";
    public const string ServerName = "nightscout";

    /// <summary>Nocturne's own build version, reported next to the compatibility version.</summary>
    public static string NocturneVersion { get; } =
        typeof(NightscoutCompatibility).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Features Nightscout turns on whatever ENABLE says (lib/settings.js DEFAULT_FEATURES).</summary>
    public static IReadOnlyList<string> DefaultFeatures { get; } =
        ["bgnow", "delta", "direction", "timeago", "devicestatus", "upbat", "errorcodes", "profile", "bolus", "dbsize", "runtimestate", "basal", "careportal"];
}
