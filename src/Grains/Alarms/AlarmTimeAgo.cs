using System.Globalization;

namespace Nocturne.Grains.Alarms;

/// <summary>The reference's short "time ago" (<c>5m ago</c>, <c>2h ago</c>, <c>3d ago</c>) used in device alarm messages.</summary>
public static class AlarmTimeAgo
{
    public static string Format(long thenMs, long nowMs)
    {
        var since = nowMs - thenMs;
        string Text(double value, string unit) => $"{Math.Max(1, Math.Round(value, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture)}{unit} ago";
        return since switch
        {
            < 0 => "1m ago",
            < 3_600_000 => Text(since / 60_000.0, "m"),
            < 86_400_000 => Text(since / 3_600_000.0, "h"),
            < 7 * 86_400_000L => Text(since / 86_400_000.0, "d"),
            _ => "long ago",
        };
    }
}
