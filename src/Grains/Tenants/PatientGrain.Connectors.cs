using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Tenants;

// Reads connectors make through the patient, so that their gap is measured on what is stored.
public sealed partial class PatientGrain
{
    public async Task<long?> GetNewestFromDeviceAsync(Collection collection, string device) =>
        await ServingSiteAsync() is not null ? await documents.NewestFromDeviceAsync(collection, SiteId, device) : null;

    public async Task<IReadOnlyList<string>> GetIdentifiersFromDeviceAsync(Collection collection, string device, long from, long to) =>
        await ServingSiteAsync() is not null ? await documents.IdentifiersFromDeviceAsync(collection, SiteId, device, from, to) : [];

    private static IReadOnlyList<PreparedDocument> ConnectorWrites(WriteMode mode, IReadOnlyList<PreparedDocument> prepared, IReadOnlyList<StoredDocument> stored) => mode switch
    {
        WriteMode.InsertMissing => NotYetStored(prepared, stored),
        WriteMode.SyncChanges => NotYetStored(prepared, stored).Concat(Changed(prepared, stored)).ToList(),
        _ => prepared,
    };

    // WriteMode.SyncChanges: a document the vendor edited since we stored it (same identifier, other content).
    // One the site deleted stays deleted.
    private static IEnumerable<PreparedDocument> Changed(IReadOnlyList<PreparedDocument> prepared, IReadOnlyList<StoredDocument> stored)
    {
        var byIdentifier = stored.Where(d => d.IsValid).ToDictionary(d => d.Identifier, StringComparer.Ordinal);
        return prepared.Where(d => d.Identifier is { } i && byIdentifier.TryGetValue(i, out var existing) && !System.Text.Json.Nodes.JsonNode.DeepEquals(existing.Doc, d.Doc));
    }

    // WriteMode.InsertMissing: what a connector fetched again (overlap, re-sync) is already here, or was deleted here on purpose.
    private static List<PreparedDocument> NotYetStored(IReadOnlyList<PreparedDocument> prepared, IReadOnlyList<StoredDocument> stored)
    {
        var identifiers = stored.Select(d => d.Identifier).ToHashSet(StringComparer.Ordinal);
        var objectIds = stored.Select(d => d.ObjectId).ToHashSet(StringComparer.Ordinal);
        var keys = stored.Where(d => d.IsValid).Select(d => (d.DateMs, d.Type)).ToHashSet();
        return prepared.Where(d => !(d.Identifier is { } i && identifiers.Contains(i))
            && !(d.ObjectId is { } o && objectIds.Contains(o))
            && !keys.Contains((d.DateMs, d.Type))).ToList();
    }
}
