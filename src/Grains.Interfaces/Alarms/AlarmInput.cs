namespace Nocturne.Grains.Interfaces.Alarms;

/// <summary>What a committed change brings to the alarm evaluation: the newest readings and device statuses of it.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.AlarmInput")]
public sealed record AlarmInput(
    [property: Id(0)] IReadOnlyList<AlarmReading> Readings,
    [property: Id(1)] IReadOnlyList<string> DeviceStatusJson);
