using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// One committed change to a site's documents. Every write path (v1 and v3 writes, soft and
/// permanent deletes) produces exactly one, after PostgreSQL has it, and everything derived from
/// the documents (the entry window, live properties, per-collection lastModified; later
/// StateSpans, push and connector cursors) follows it, so no path can forget one of them.
/// </summary>
/// <param name="Written">Documents inserted or updated, including soft-deleted ones (<c>IsValid</c> false).</param>
/// <param name="RemovedObjectIds">_ids of documents removed for good.</param>
/// <param name="SrvModified">The site clock of the change: the newest written srvModified, or the clock taken for a removal.</param>
public sealed record DocumentChange(Collection Collection, IReadOnlyList<StoredDocument> Written, IReadOnlyCollection<string> RemovedObjectIds, long SrvModified)
{
    public static DocumentChange Wrote(Collection collection, IReadOnlyList<StoredDocument> written) =>
        new(collection, written, [], written.Count == 0 ? 0 : written.Max(d => d.SrvModified));

    public static DocumentChange Removed(Collection collection, IReadOnlyCollection<string> objectIds, long clock) =>
        new(collection, [], objectIds, clock);
}
