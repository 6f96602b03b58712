using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>A site's rows that its patient grain keeps in memory, as one activation reads them (<see cref="DocumentStore.LoadLiveStateAsync"/>).</summary>
public sealed record LiveStateRows(
    List<WindowRow> WindowNewestFirst,
    long WindowFloor,
    List<StoredDocument> DeviceStatus,
    List<StoredDocument> NewestOfTypes,
    StoredDocument? Profile,
    Dictionary<Collection, long> LastModified);
