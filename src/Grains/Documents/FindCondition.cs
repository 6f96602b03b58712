namespace Nocturne.Grains.Documents;

/// <summary>What a condition compares against: Nightscout's query walker decides per field.</summary>
public enum FindValueKind
{
    Text,
    Number,
    Regex,
    Boolean,
}

/// <summary>
/// One <c>find[field][$op]=value</c> condition. Ops: eq ne gt gte lt lte in nin exists regex.
/// For <c>in</c>/<c>nin</c> there are several values; for <c>exists</c> one boolean.
/// </summary>
public sealed record FindCondition(string Field, string Op, IReadOnlyList<string> Values, FindValueKind Kind, string? RegexFlags = null);
