namespace Nocturne.Grains.Interfaces.StateSpans;

/// <summary>A span a user writes (Sleep, Exercise, Illness, Travel, or a manual Override), already validated by the API.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.ManualSpan")]
public sealed record ManualSpan(
    [property: Id(0)] string State,
    [property: Id(1)] long StartMills,
    [property: Id(2)] long? EndMills,
    [property: Id(3)] string? Source,
    [property: Id(4)] string MetadataJson);
