using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces;

/// <summary>
/// One patient (one Nightscout site, one tenant). Keyed by the tenant id.
/// It owns the patient's live state; later it is also the single writer of the
/// patient's document history.
/// </summary>
[Alias("nocturne.IPatientGrain")]
public interface IPatientGrain : IGrainWithStringKey
{
    /// <summary>The site's settings as status.json reports them.</summary>
    [Alias("GetSettings"), ReadOnly]
    Task<SiteSettings> GetSettingsAsync();

    /// <summary>
    /// Replaces the site's settings and persists them before returning.
    /// Returns false when the settings were already identical (nothing written).
    /// </summary>
    [Alias("ConfigureSettings")]
    Task<bool> ConfigureSettingsAsync(SiteSettings settings);
}
