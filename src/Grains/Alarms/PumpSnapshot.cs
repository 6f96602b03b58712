namespace Nocturne.Grains.Alarms;

/// <summary>The pump as the newest device status (by the pump's own clock) reported it.</summary>
public sealed class PumpSnapshot
{
    /// <summary>When the device status was uploaded (its <c>created_at</c>).</summary>
    public long Mills { get; set; }

    /// <summary>The pump's <c>clock</c>; null when the status carries none (then the pump is never "stale", as in the reference).</summary>
    public long? ClockMs { get; set; }

    public double? Reservoir { get; set; }

    public double? BatteryPercent { get; set; }

    public double? BatteryVoltage { get; set; }

    public bool Suspended { get; set; }

    /// <summary>The pump's clock, else the upload time: how the reference picks the newest status.</summary>
    public long OrderMs => ClockMs ?? Mills;
}
