using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// Where a sync starts for each collection: after the newest stored document of this source
/// (epoch ms), never before the backfill limit; and the source's own cursors (for example
/// a remote server's lastModified) from the previous sync. <see cref="Earliest"/> is the backfill
/// limit (epoch ms), where a source without a cursor starts.
/// </summary>
public sealed record SyncWindow(IReadOnlyDictionary<Collection, long> Since, IReadOnlyDictionary<string, long> Cursors, long Earliest, DateTimeOffset Now);
