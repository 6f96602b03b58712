namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>
/// Entries from the live window as the finished v1 JSON array, with the newest entry's date so
/// that the API can answer Last-Modified/304 without parsing the array.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.RecentEntries")]
public sealed record RecentEntries([property: Id(0)] string Json, [property: Id(1)] long? NewestDate);
