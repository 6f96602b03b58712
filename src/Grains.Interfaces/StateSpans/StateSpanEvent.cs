namespace Nocturne.Grains.Interfaces.StateSpans;

/// <summary>
/// One fact a category's spans are replayed from: derived from one treatment or device status, or a manual span.
/// </summary>
/// <param name="OriginKey">Unique per source within the category: <c>t:</c>/<c>d:</c> and the document's _id, or <c>m:</c> and the manual span's id.</param>
/// <param name="EndMs">The end the source declares (start plus duration); null when open-ended.</param>
/// <param name="MetadataJson">A JSON object: profile name, percentage, rate, target range, ...</param>
/// <param name="CanonicalKey">The fact's content without its identity: two sources reporting the same fact at the same time share it and give one span.</param>
/// <param name="SpanId">The id of the span this fact starts.</param>
[GenerateSerializer, Immutable, Alias("nocturne.StateSpanEvent")]
public sealed record StateSpanEvent(
    [property: Id(0)] string OriginKey,
    [property: Id(1)] long AtMs,
    [property: Id(2)] StateSpanEventKind Kind,
    [property: Id(3)] string State,
    [property: Id(4)] long? EndMs,
    [property: Id(5)] string? Source,
    [property: Id(6)] string MetadataJson,
    [property: Id(7)] string? OriginalId,
    [property: Id(8)] string CanonicalKey,
    [property: Id(9)] string SpanId,
    [property: Id(10)] bool Manual);
