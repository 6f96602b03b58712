using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Alarms;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// The alarm state as <c>/api/v2/properties</c> (<c>alarms</c>) and <c>/api/v1/status.json</c> (<c>alarms</c>)
/// show it: the highest level alarming now and not silenced, every active alarm with whether an
/// acknowledgement silences it, and the acknowledgements in force.
/// </summary>
public static class AlarmView
{
    public static JsonObject Of(AlarmStatus status, long nowMs)
    {
        var active = new JsonArray();
        var level = 0;
        foreach (var notice in status.Active)
        {
            var snoozed = status.Snoozes.Any(s => s.Group == notice.Group && s.Level == notice.Level && s.UntilMs > nowMs);
            if (!snoozed)
            {
                level = Math.Max(level, notice.Level);
            }

            active.Add(new JsonObject
            {
                ["level"] = notice.Level,
                ["group"] = notice.Group,
                ["title"] = notice.Title,
                ["message"] = notice.Message,
                ["plugin"] = notice.Plugin,
                ["eventName"] = notice.EventName,
                ["snoozed"] = snoozed,
            });
        }

        var snoozes = new JsonArray();
        foreach (var snooze in status.Snoozes)
        {
            snoozes.Add(new JsonObject { ["level"] = snooze.Level, ["group"] = snooze.Group, ["acked"] = snooze.AckedMs, ["until"] = snooze.UntilMs });
        }

        return new JsonObject
        {
            ["level"] = level,
            ["active"] = active,
            ["snoozes"] = snoozes,
            ["lastReading"] = status.LastReadingMs,
        };
    }
}
