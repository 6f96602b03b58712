using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>A read of one site's collection: conditions, order and limit.</summary>
public sealed record DocumentQuery(
    Collection Collection,
    IReadOnlyList<FindCondition> Conditions,
    int Limit,
    IReadOnlyList<(string Field, bool Descending)> Sort,
    bool IncludeDeleted = false,
    int Skip = 0);
