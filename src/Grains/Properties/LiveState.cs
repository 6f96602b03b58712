using Nocturne.Grains.Documents;

namespace Nocturne.Grains.Properties;

/// <summary>
/// Besides the entry window, the little a site needs in memory for /api/v2/properties: recent
/// device status, the newest care-age treatments and the current profile.
/// </summary>
public sealed class LiveState
{
    public const int DeviceStatusKept = 20;

    /// <summary>Treatments whose newest occurrence gives an age (cannula, sensor, insulin, pump battery).</summary>
    public static readonly string[] AgeEventTypes = ["Site Change", "Sensor Start", "Sensor Change", "Insulin Change", "Pump Battery Change"];

    /// <summary>Treatments whose newest occurrence may change the current basal (the basal property's temp and combo marks).</summary>
    public static readonly string[] BasalEventTypes = ["Temp Basal", "Combo Bolus"];

    /// <summary>Every event type whose newest treatment is kept.</summary>
    public static readonly string[] KeptEventTypes = [.. AgeEventTypes, .. BasalEventTypes];

    public List<StoredDocument> DeviceStatus { get; private set; } = [];

    public Dictionary<string, StoredDocument> NewestByEventType { get; } = [];

    public StoredDocument? Profile { get; private set; }

    public void Load(List<StoredDocument> deviceStatus, IEnumerable<StoredDocument> ageTreatments, StoredDocument? profile)
    {
        DeviceStatus = deviceStatus.OrderByDescending(d => d.DateMs).Take(DeviceStatusKept).ToList();
        NewestByEventType.Clear();
        foreach (var treatment in ageTreatments)
        {
            NewestByEventType[treatment.Type!] = treatment;
        }

        Profile = profile;
    }

    /// <summary>
    /// Takes in written documents. Returns true when the state must be reloaded: a document it
    /// shows was soft-deleted, and only PostgreSQL knows what stands in its place.
    /// </summary>
    public bool Apply(Interfaces.Documents.Collection collection, IEnumerable<StoredDocument> written)
    {
        var reload = false;
        foreach (var document in written)
        {
            if (!document.IsValid)
            {
                reload |= References([document.ObjectId]);
                continue;
            }

            switch (collection)
            {
                case Interfaces.Documents.Collection.DeviceStatus:
                    DeviceStatus = DeviceStatus.Where(d => d.ObjectId != document.ObjectId).Append(document)
                        .OrderByDescending(d => d.DateMs).Take(DeviceStatusKept).ToList();
                    break;
                case Interfaces.Documents.Collection.Treatments when document.Type is { } type && KeptEventTypes.Contains(type):
                    if (!NewestByEventType.TryGetValue(type, out var known) || known.DateMs <= document.DateMs)
                    {
                        NewestByEventType[type] = document;
                    }

                    break;
                case Interfaces.Documents.Collection.Profile:
                    if (Profile is null || Profile.DateMs <= document.DateMs)
                    {
                        Profile = document;
                    }

                    break;
            }
        }

        return reload;
    }

    /// <summary>Deletions can remove what the state refers to; the grain then reloads it.</summary>
    public bool References(IReadOnlyCollection<string> objectIds) =>
        DeviceStatus.Any(d => objectIds.Contains(d.ObjectId))
        || NewestByEventType.Values.Any(d => objectIds.Contains(d.ObjectId))
        || (Profile is not null && objectIds.Contains(Profile.ObjectId));
}
