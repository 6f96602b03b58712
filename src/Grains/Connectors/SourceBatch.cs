using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// What one fetch produced: Nightscout documents per collection (each with a stable
/// <c>identifier</c>), identifiers the vendor deleted, and the cursors to start from next time.
/// </summary>
public sealed class SourceBatch
{
    /// <summary>How the patient stores them: CGM readings never change once stored; a mirrored server's edits replace ours.</summary>
    public WriteMode Mode { get; init; } = WriteMode.InsertMissing;

    public Dictionary<Collection, List<JsonObject>> Documents { get; } = [];

    public Dictionary<Collection, List<string>> Deleted { get; } = [];

    public Dictionary<string, long> Cursors { get; } = [];

    /// <summary>
    /// Time ranges (epoch ms, inclusive) that this batch holds completely for a collection: a
    /// document of this source stored in such a range but absent from the batch was deleted at the
    /// vendor, and is deleted here too (through the patient grain, so v3 history shows it).
    /// </summary>
    public List<(Collection Collection, long From, long To)> Complete { get; } = [];

    public void Add(Collection collection, JsonObject document)
    {
        if (!Documents.TryGetValue(collection, out var list))
        {
            Documents[collection] = list = [];
        }

        list.Add(document);
    }

    public void CompleteBetween(Collection collection, long from, long to) => Complete.Add((collection, from, to));

    public void Delete(Collection collection, string identifier)
    {
        if (!Deleted.TryGetValue(collection, out var list))
        {
            Deleted[collection] = list = [];
        }

        list.Add(identifier);
    }
}
