namespace Nocturne.Grains.Interfaces.StateSpans;

/// <summary>
/// One kind of state a site can be in over time. <see cref="StateSpanCategories"/> says which are
/// exclusive (at most one span at a time), which states each has, and which accept manual spans.
/// </summary>
public enum StateSpanCategory
{
    Profile,
    Override,
    TempBasal,
    PumpMode,
    PumpConnectivity,
    Sleep,
    Exercise,
    Illness,
    Travel,
}
