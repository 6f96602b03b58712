namespace Nocturne.Grains.Interfaces.Alarms;

/// <summary>
/// What a committed change brings to the alarm evaluation: the newest readings and device statuses of
/// it, and the site's settings as the writer knew them when it committed (null: the alarm grain asks
/// the site's access grain), which spares the evaluation a call per upload.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.AlarmInput")]
public sealed record AlarmInput(
    [property: Id(0)] IReadOnlyList<AlarmReading> Readings,
    [property: Id(1)] IReadOnlyList<string> DeviceStatusJson,
    [property: Id(2)] SiteSettings? Settings = null);
