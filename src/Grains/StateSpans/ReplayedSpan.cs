namespace Nocturne.Grains.StateSpans;

/// <summary>A span as the replay produces it: what <c>state_spans</c> stores, before the row's clocks.</summary>
public sealed record ReplayedSpan(
    string Id,
    string State,
    long Start,
    long? End,
    long? DeclaredEnd,
    string? Source,
    string MetadataJson,
    string? OriginalId,
    string CanonicalId,
    IReadOnlyList<string> Sources,
    bool Manual)
{
    /// <summary>Same content (sources compared as sets), so an unchanged span keeps its updatedAt.</summary>
    public bool SameAs(ReplayedSpan other) =>
        Id == other.Id && State == other.State && Start == other.Start && End == other.End && DeclaredEnd == other.DeclaredEnd
        && Source == other.Source && OriginalId == other.OriginalId && CanonicalId == other.CanonicalId && Manual == other.Manual
        && Sources.Order(StringComparer.Ordinal).SequenceEqual(other.Sources.Order(StringComparer.Ordinal))
        && System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(MetadataJson), System.Text.Json.Nodes.JsonNode.Parse(other.MetadataJson));
}
