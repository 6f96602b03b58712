namespace Nocturne.Grains.Alarms;

/// <summary>One uploader's battery as one device status reported it.</summary>
public sealed class UploaderBatterySample
{
    public string Device { get; set; } = "uploader";

    public long Mills { get; set; }

    public double? Battery { get; set; }

    public double? Voltage { get; set; }

    public bool Charging { get; set; }
}
