namespace Nocturne.Grains.Alarms;

/// <summary>One level of one group, as the reference's <c>Alarm</c>: when it was last acknowledged, for how long, and when it last sounded.</summary>
public sealed class AlarmSlot
{
    public int Level { get; set; }

    public string Group { get; set; } = AlarmLevels.DefaultGroup;

    public long LastAckMs { get; set; }

    public long SilenceMs { get; set; } = SiteAlarmRules.DefaultSilenceMs;

    public long? LastEmitMs { get; set; }

    public bool SilencedAt(long nowMs) => nowMs < LastAckMs + SilenceMs;
}
