using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Tenants;

// The properties answer as the API serves it, and what keeps its alarm state fresh.
public partial interface IPatientGrain
{
    /// <summary>
    /// The /api/v2/properties answer (all properties when names is null), with the site's alarm state
    /// as <c>alarms</c> when all or <c>alarms</c> are wanted; null when the site serves no data.
    /// </summary>
    [Alias("GetPropertiesAnswer"), AlwaysInterleave]
    Task<Documents.PropertiesAnswer?> GetPropertiesAnswerAsync(IReadOnlyList<string>? names);

    /// <summary>
    /// The site's alarm grain changed what its status shows (or deactivated): the copy kept for the
    /// properties answer no longer serves. Awaited by the alarm grain before its change is visible.
    /// </summary>
    [Alias("AlarmStatusChanged"), AlwaysInterleave]
    Task AlarmStatusChangedAsync();
}
