namespace Nocturne.Grains.Interfaces.Alarms;

/// <summary>A site's alarm state: what is alarming now (snoozed or not) and which acknowledgements are in force.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.AlarmStatus")]
public sealed record AlarmStatus(
    [property: Id(0)] IReadOnlyList<AlarmNotice> Active,
    [property: Id(1)] IReadOnlyList<AlarmSnooze> Snoozes,
    [property: Id(2)] long? LastReadingMs);
