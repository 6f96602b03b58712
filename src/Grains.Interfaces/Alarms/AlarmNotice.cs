namespace Nocturne.Grains.Interfaces.Alarms;

/// <summary>An alarm as the reference's notifications carry it (level 2 urgent, 1 warning; group "default" or a plugin's).</summary>
[GenerateSerializer, Immutable, Alias("nocturne.AlarmNotice")]
public sealed record AlarmNotice(
    [property: Id(0)] int Level,
    [property: Id(1)] string Group,
    [property: Id(2)] string Title,
    [property: Id(3)] string Message,
    [property: Id(4)] string Plugin,
    [property: Id(5)] string EventName,
    [property: Id(6)] long Mills);
