using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Tenants;

// What connectors need from the patient beyond the ordinary writes: where their own data ends.
public partial interface IPatientGrain
{
    /// <summary>The date (epoch ms) of the newest valid document whose <c>device</c> is this one; null when there is none.</summary>
    [Alias("GetNewestFromDevice"), AlwaysInterleave]
    Task<long?> GetNewestFromDeviceAsync(Documents.Collection collection, string device);

    /// <summary>The identifiers of the valid documents whose <c>device</c> is this one, dated within [from, to] (epoch ms).</summary>
    [Alias("GetIdentifiersFromDevice"), AlwaysInterleave]
    Task<IReadOnlyList<string>> GetIdentifiersFromDeviceAsync(Documents.Collection collection, string device, long from, long to);
}
