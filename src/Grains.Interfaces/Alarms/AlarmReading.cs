namespace Nocturne.Grains.Interfaces.Alarms;

/// <summary>One glucose reading in mg/dL at <see cref="Mills"/>.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.AlarmReading")]
public sealed record AlarmReading([property: Id(0)] long Mills, [property: Id(1)] double Mgdl);
