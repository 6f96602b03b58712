namespace Nocturne.Grains.Connectors;

/// <summary>The operator's view of one connector kind across every site: how many are in each health.</summary>
public sealed record ConnectorOverview(string Kind, int Total, IReadOnlyDictionary<string, int> ByHealth);
