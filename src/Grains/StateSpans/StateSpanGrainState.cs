namespace Nocturne.Grains.StateSpans;

/// <summary>What a category grain persists: which derivation its stored spans come from.</summary>
public sealed class StateSpanGrainState
{
    /// <summary>The <see cref="StateSpanGrain.DerivationVersion"/> the stored events were derived with; 0 before the first derivation.</summary>
    public int DerivedVersion { get; set; }
}
