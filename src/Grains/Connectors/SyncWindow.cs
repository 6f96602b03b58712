using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// Where a sync starts for each collection: after the newest stored document of this source
/// (epoch ms), never before the backfill limit; and the source's own cursors (for example
/// a remote server's lastModified) from the previous sync. <see cref="Earliest"/> is the backfill
/// limit (epoch ms), where a source without a cursor starts.
/// </summary>
public sealed record SyncWindow(IReadOnlyDictionary<Collection, long> Since, IReadOnlyDictionary<string, long> Cursors, long Earliest, DateTimeOffset Now)
{
    /// <summary>
    /// Where a source whose vendor fills in and corrects records late starts: the gap of
    /// <paramref name="gap"/> or <paramref name="reread"/> before now, whichever is earlier, never before the backfill limit.
    /// </summary>
    public long ReadFrom(Collection gap, TimeSpan reread) =>
        Math.Max(Math.Min(Since[gap], (Now - reread).ToUnixTimeMilliseconds()), Earliest);
}
