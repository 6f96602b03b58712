namespace Nocturne.Grains.Import;

/// <summary>A site import as the operator sees it, live (CLI) or from PostgreSQL (API).</summary>
public sealed class SiteImportProgress
{
    public required string Site { get; init; }

    public required string Source { get; init; }

    public string State { get; set; } = ImportState.Running;

    public string? Message { get; set; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<CollectionProgress> Collections { get; init; } = [];

    /// <summary>Subjects and roles added, and those left out with why (MongoDB sources only).</summary>
    public List<string> AccessSkipped { get; init; } = [];

    public int SubjectsImported { get; set; }

    public int RolesImported { get; set; }

    public long Read => Collections.Sum(c => c.Read);

    public long? Total => Collections.All(c => c.SourceCount is not null) ? Collections.Sum(c => c.SourceCount!.Value) : null;

    public CollectionProgress Of(string collection)
    {
        lock (Collections)
        {
            var found = Collections.FirstOrDefault(c => c.Collection == collection);
            if (found is null)
            {
                found = new CollectionProgress { Collection = collection };
                Collections.Add(found);
            }

            return found;
        }
    }
}
