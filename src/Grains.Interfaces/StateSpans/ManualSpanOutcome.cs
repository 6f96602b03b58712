namespace Nocturne.Grains.Interfaces.StateSpans;

/// <summary>What became of a manual span write: the span as stored (null once deleted), or why nothing was done.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.ManualSpanOutcome")]
public sealed record ManualSpanOutcome(
    [property: Id(0)] ManualSpanResult Result,
    [property: Id(1)] StateSpan? Span,
    [property: Id(2)] string? Message = null);

public enum ManualSpanResult
{
    Done,
    NotFound,
    Derived,
}
