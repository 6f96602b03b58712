namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>
/// Entries from the live window as the finished v1 JSON array in UTF-8 (what goes on the wire:
/// no text copy at twice the size on either side), with the newest entry's date so that the API
/// can answer Last-Modified/304 without parsing the array.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.RecentEntries")]
public sealed record RecentEntries([property: Id(0)] byte[] Utf8Json, [property: Id(1)] long? NewestDate);
