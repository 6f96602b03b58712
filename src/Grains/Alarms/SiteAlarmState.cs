using Nocturne.Grains.Interfaces.Alarms;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// A site's alarm state in grain storage (state name <c>sitealarms</c>): the newest two readings (for
/// stale data and the ar2 forecast), what the device statuses said about the pump, the loop and the
/// uploader's battery, acknowledgements, and what alarms now.
/// </summary>
public sealed class SiteAlarmState
{
    public AlarmReading? Last { get; set; }

    public AlarmReading? Previous { get; set; }

    /// <summary>Upload time of the newest device status; the reminder keeps ticking for a day after it.</summary>
    public long? LastDeviceStatusMs { get; set; }

    public PumpSnapshot? Pump { get; set; }

    /// <summary>The newest OpenAPS loop (suggested, or enacted and received).</summary>
    public long? OpenApsLoopMs { get; set; }

    /// <summary>The newest Loop status of any kind, and the newest without a failure.</summary>
    public long? LoopSeenMs { get; set; }

    public long? LoopOkMs { get; set; }

    public List<UploaderBatterySample> Uploaders { get; set; } = [];

    public LoopPrediction? Prediction { get; set; }

    public List<AlarmSlot> Slots { get; set; } = [];

    public List<AlarmNotice> Active { get; set; } = [];
}
