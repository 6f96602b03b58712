namespace Nocturne.Grains.Import;

/// <summary>
/// Source pages read and checked, ready for one write through the patient grain: the accepted
/// documents as one JSON array (null when none passed), what was left out by reason, how many
/// documents were read, and the cursor after the last page. Progress counts only once it is written.
/// </summary>
public sealed record CheckedBatch(string? Json, int Accepted, long Read, IReadOnlyDictionary<string, long> Skipped, string Cursor);
