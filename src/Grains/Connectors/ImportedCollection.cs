namespace Nocturne.Grains.Connectors;

/// <summary>One collection of a site import: distinct documents the source gave us, and how many of them were new here.</summary>
public sealed record ImportedCollection(int Source, int Imported);
