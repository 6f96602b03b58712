using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Tenants;

// Reads connectors make through the patient, so that their gap is measured on what is stored.
public sealed partial class PatientGrain
{
    public async Task<long?> GetNewestFromDeviceAsync(Collection collection, string device) =>
        _tenant is { Enabled: true } ? await documents.NewestFromDeviceAsync(collection, SiteId, device) : null;
}
