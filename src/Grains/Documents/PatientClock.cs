using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

/// <summary>
/// The patient's local time for schedule lookups (basal, sensitivity, carb ratio, targets): the
/// zone of the profile store in force, or UTC when the store names no zone this machine knows.
/// Properties, the profile reader and the loop read schedules through it, so a slot is found at
/// the same local time everywhere, also on daylight-saving days.
/// </summary>
public sealed class PatientClock
{
    private PatientClock(TimeZoneInfo? zone) => Zone = zone;

    /// <summary>The zone, or null for UTC.</summary>
    public TimeZoneInfo? Zone { get; }

    /// <summary>The clock of a profile store (its <c>timezone</c>).</summary>
    public static PatientClock Of(JsonObject store) => new(ProfileSchedule.Zone(store));

    /// <summary>Minutes east of UTC in force at <paramref name="at"/>.</summary>
    public int UtcOffsetMinutes(DateTimeOffset at) => Zone is null ? 0 : (int)Zone.GetUtcOffset(at).TotalMinutes;

    /// <summary>The local time of day, to the tick (the reference's properties read schedules so).</summary>
    public TimeSpan TimeOfDay(DateTimeOffset at) => (Zone is null ? at : TimeZoneInfo.ConvertTime(at, Zone)).TimeOfDay;

    /// <summary>The local minute of the day, whole minutes (oref0 reads its schedules so).</summary>
    public long MinuteOfDay(DateTimeOffset at)
    {
        var minute = (at.ToUnixTimeMilliseconds() / 60_000 + UtcOffsetMinutes(at)) % 1440;
        return minute < 0 ? minute + 1440 : minute;
    }

    /// <summary>The schedule's value at the local time of day of <paramref name="at"/>.</summary>
    public double? ScheduledAt(IEnumerable<ProfileSchedule.Slot> schedule, DateTimeOffset at) => ProfileSchedule.At(schedule, TimeOfDay(at).TotalSeconds);
}
