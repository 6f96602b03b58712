using Nocturne.Grains.Interfaces.Alarms;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// A site's alarm state in grain storage (state name <c>sitealarms</c>): the newest two readings (for
/// stale data and the ar2 forecast), the last loop and pump times, acknowledgements, and what alarms now.
/// </summary>
public sealed class SiteAlarmState
{
    public AlarmReading? Last { get; set; }

    public AlarmReading? Previous { get; set; }

    public long? LastLoopMs { get; set; }

    public long? LastPumpMs { get; set; }

    public double? UploaderBattery { get; set; }

    public List<AlarmSlot> Slots { get; set; } = [];

    public List<AlarmNotice> Active { get; set; } = [];
}
