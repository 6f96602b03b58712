namespace Nocturne.Grains.Interfaces.StateSpans;

/// <summary>A span as the API shows it. <see cref="EndMills"/> is null while the span is active.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.StateSpan")]
public sealed record StateSpan(
    [property: Id(0)] string Id,
    [property: Id(1)] StateSpanCategory Category,
    [property: Id(2)] string State,
    [property: Id(3)] long StartMills,
    [property: Id(4)] long? EndMills,
    [property: Id(5)] string? Source,
    [property: Id(6)] string MetadataJson,
    [property: Id(7)] string? OriginalId,
    [property: Id(8)] string CanonicalId,
    [property: Id(9)] IReadOnlyList<string> Sources,
    [property: Id(10)] bool Manual,
    [property: Id(11)] long CreatedAt,
    [property: Id(12)] long UpdatedAt);
