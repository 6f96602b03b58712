namespace Nocturne.Grains.Connectors;

/// <summary>What an import did: the source API used (<c>v3</c> or <c>v1</c>) and the counts per collection.</summary>
public sealed record ImportResult(string Api, IReadOnlyDictionary<string, ImportedCollection> Collections);
