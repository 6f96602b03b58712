namespace Nocturne.Grains.Interfaces.StateSpans;

/// <summary>What each category allows: its states, whether its spans exclude each other, whether a user may write spans in it.</summary>
public static class StateSpanCategories
{
    public static IReadOnlyList<StateSpanCategory> All { get; } = Enum.GetValues<StateSpanCategory>();

    /// <summary>
    /// Exclusive categories hold at most one span at any instant: a new span closes the previous
    /// one at its start. The user-annotated ones (Sleep, Exercise, Illness, Travel) may overlap
    /// (a logged run during a trip, two devices logging the same walk at different times).
    /// </summary>
    public static bool IsExclusive(StateSpanCategory category) =>
        category is StateSpanCategory.Profile or StateSpanCategory.Override or StateSpanCategory.TempBasal
            or StateSpanCategory.PumpMode or StateSpanCategory.PumpConnectivity;

    /// <summary>Categories where <c>POST /api/v4/state-spans</c> may create spans: the user-annotated ones and a manual Override.</summary>
    public static bool AcceptsManual(StateSpanCategory category) =>
        category is StateSpanCategory.Override or StateSpanCategory.Sleep or StateSpanCategory.Exercise
            or StateSpanCategory.Illness or StateSpanCategory.Travel;

    public static IReadOnlyList<string> States(StateSpanCategory category) => category switch
    {
        StateSpanCategory.Profile => ["Active"],
        StateSpanCategory.Override => ["None", "Custom"],
        StateSpanCategory.TempBasal => ["Active", "Cancelled"],
        StateSpanCategory.PumpMode => ["Automatic", "Limited", "Manual", "Boost", "EaseOff", "Sleep", "Exercise", "Suspended", "Off"],
        StateSpanCategory.PumpConnectivity => ["Connected", "Disconnected", "Removed", "BluetoothOff"],
        _ => ["Active"],
    };

    /// <summary>The state's canonical spelling, or null when the category has no such state (case-insensitive).</summary>
    public static string? State(StateSpanCategory category, string? state) =>
        state is null ? null : States(category).FirstOrDefault(s => string.Equals(s, state, StringComparison.OrdinalIgnoreCase));

    public static bool TryParse(string? text, out StateSpanCategory category)
    {
        category = default;
        return text is not null && !int.TryParse(text, out _) && Enum.TryParse(text, ignoreCase: true, out category) && Enum.IsDefined(category);
    }

    /// <summary>The key of the category's grain for a site: the site first, as every site-scoped key.</summary>
    public static string GrainKey(string siteId, StateSpanCategory category) => Tenants.SiteGrainKeys.For(siteId, "spans-" + category);
}
