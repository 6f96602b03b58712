namespace Nocturne.Grains.Interfaces;

/// <summary>
/// The reference's device alarm settings (its plugins' extended settings <c>PUMP_*</c>, <c>OPENAPS_*</c>,
/// <c>LOOP_*</c>, <c>UPBAT_*</c>) with the reference's defaults: every alert is off until its
/// <c>*_ENABLE_ALERTS</c> is set and its plugin is enabled. Minutes, units, percent and volts as there.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.DeviceAlarmSettings")]
public sealed record DeviceAlarmSettings
{
    [Id(0)] public bool PumpEnableAlerts { get; init; }
    [Id(1)] public int PumpWarnClock { get; init; } = 30;
    [Id(2)] public int PumpUrgentClock { get; init; } = 60;
    [Id(3)] public double PumpWarnRes { get; init; } = 10;
    [Id(4)] public double PumpUrgentRes { get; init; } = 5;
    [Id(5)] public double PumpWarnBattV { get; init; } = 1.35;
    [Id(6)] public double PumpUrgentBattV { get; init; } = 1.3;
    [Id(7)] public double PumpWarnBattP { get; init; } = 30;
    [Id(8)] public double PumpUrgentBattP { get; init; } = 20;
    [Id(9)] public bool PumpWarnOnSuspend { get; init; }
    [Id(10)] public bool OpenapsEnableAlerts { get; init; }
    [Id(11)] public int OpenapsWarn { get; init; } = 30;
    [Id(12)] public int OpenapsUrgent { get; init; } = 60;
    [Id(13)] public bool LoopEnableAlerts { get; init; }
    [Id(14)] public int LoopWarn { get; init; } = 30;
    [Id(15)] public int LoopUrgent { get; init; } = 60;
    [Id(16)] public bool UpbatEnableAlerts { get; init; }
    [Id(17)] public double UpbatWarn { get; init; } = 30;
    [Id(18)] public double UpbatUrgent { get; init; } = 20;
}
