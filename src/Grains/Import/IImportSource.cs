using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Import;

/// <summary>
/// Where a site import reads from: a Nightscout MongoDB database or a running Nightscout's API.
/// Pages come in the order the source keeps (MongoDB <c>_id</c>, API v3 <c>srvModified</c>); each
/// carries the cursor after it, so that an import persisted up to a page resumes right after it.
/// </summary>
public interface IImportSource : IAsyncDisposable
{
    /// <summary>Names the source for progress and logs; never a credential.</summary>
    string Description { get; }

    IReadOnlyList<Collection> Collections { get; }

    /// <summary>How many documents the source holds in <paramref name="collection"/>, when it can tell.</summary>
    Task<long?> CountAsync(Collection collection, CancellationToken cancellationToken);

    /// <summary>The pages of <paramref name="collection"/> after <paramref name="cursor"/> (null: from the start).</summary>
    IAsyncEnumerable<ImportPage> ReadAsync(Collection collection, string? cursor, CancellationToken cancellationToken);

    /// <summary>The source's subjects and roles, or null when this kind of source cannot read them.</summary>
    Task<SourceAccess?> ReadAccessAsync(CancellationToken cancellationToken);
}
