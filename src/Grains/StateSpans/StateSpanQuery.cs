using Nocturne.Grains.Interfaces.StateSpans;

namespace Nocturne.Grains.StateSpans;

/// <summary>A validated span search: spans overlapping [<see cref="FromMs"/>, <see cref="ToMs"/>), newest start first.</summary>
public sealed record StateSpanQuery(
    StateSpanCategory? Category = null,
    string? State = null,
    long? FromMs = null,
    long? ToMs = null,
    string? Source = null,
    bool? Active = null,
    int Count = 100,
    int Skip = 0);
