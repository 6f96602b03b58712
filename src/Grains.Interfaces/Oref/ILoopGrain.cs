using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// A site's OpenAPS loop, keyed by the site id: it works over a snapshot of the patient's live
/// window and the stored treatments, and runs oref through <see cref="IOrefGrain"/>. It holds no
/// state (a stateless worker), so loops never queue behind each other or behind document writes.
/// </summary>
[Alias("nocturne.ILoopGrain")]
public interface ILoopGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs the loop (autosens, IOB, COB, determine-basal) over the site's last 24 hours of
    /// treatments and readings and its current profile. Null for an unknown or disabled site.
    /// </summary>
    [Alias("Suggest"), ReadOnly]
    Task<OrefLoopOutcome?> SuggestAsync(bool microBolusAllowed);

}
