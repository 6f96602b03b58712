using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Tenants;

// Reads connectors make through the patient, so that their gap is measured on what is stored.
public sealed partial class PatientGrain
{
    public async Task<long?> GetNewestFromDeviceAsync(Collection collection, string device) =>
        await ServingSiteAsync() is not null ? await documents.NewestFromDeviceAsync(collection, SiteId, device) : null;

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
