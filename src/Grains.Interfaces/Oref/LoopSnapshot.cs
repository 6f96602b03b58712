using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// What the loop reads from the patient's live window: the current profile, the last 24 hours
/// of CGM readings and the recent device status (newest first). Treatments it reads from PostgreSQL.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.LoopSnapshot")]
public sealed record LoopSnapshot(
    [property: Id(0)] DocumentSnapshot? Profile,
    [property: Id(1)] IReadOnlyList<OrefGlucose> Glucose,
    [property: Id(2)] IReadOnlyList<DocumentSnapshot> DeviceStatus);
