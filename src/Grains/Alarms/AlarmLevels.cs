namespace Nocturne.Grains.Alarms;

/// <summary>The reference's notification levels and their display names.</summary>
public static class AlarmLevels
{
    public const int Urgent = 2;
    public const int Warn = 1;
    public const string DefaultGroup = "default";

    public static string Display(int level) => level switch { Urgent => "Urgent", Warn => "Warning", 0 => "Info", _ => "Unknown" };
}
