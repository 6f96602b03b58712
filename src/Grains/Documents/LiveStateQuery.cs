namespace Nocturne.Grains.Documents;

/// <summary>What of a site <see cref="DocumentStore.LoadLiveStateAsync"/> reads: the bounds of the entry window and of the live state.</summary>
public sealed record LiveStateQuery(long WindowSinceMs, int WindowMinimumCount, int WindowLimit, long DeviceStatusSinceMs, int DeviceStatusLimit, string[] TreatmentTypes);
