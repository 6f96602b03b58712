namespace Nocturne.Grains.Interfaces.Alarms;

/// <summary>An acknowledgement in force: <see cref="Level"/> of <see cref="Group"/> is silent until <see cref="UntilMs"/>.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.AlarmSnooze")]
public sealed record AlarmSnooze(
    [property: Id(0)] int Level,
    [property: Id(1)] string Group,
    [property: Id(2)] long AckedMs,
    [property: Id(3)] long UntilMs);
