namespace Nocturne.Grains.Import;

/// <summary>
/// One collection of a site import: the source's count, what was read and newly stored, what the
/// site holds at the end, the resume cursor, and the documents left out by reason.
/// </summary>
public sealed class CollectionProgress
{
    public required string Collection { get; init; }

    public long? SourceCount { get; set; }

    public long Read { get; set; }

    public long Imported { get; set; }

    /// <summary>Valid documents the site holds once the collection is done; equal to <see cref="SourceCount"/> less the skipped ones when nothing was lost.</summary>
    public long? Stored { get; set; }

    public bool Done { get; set; }

    public string? Cursor { get; set; }

    public Dictionary<string, long> Skipped { get; init; } = [];

    public long SkippedTotal => Skipped.Values.Sum();

    public void Skip(string reason, long count = 1) => Skipped[reason] = Skipped.GetValueOrDefault(reason) + count;
}
