using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Oref;

namespace Nocturne.Grains.Tenants;

// What the loop (LoopGrain) reads from the live window; the loop itself runs elsewhere.
public sealed partial class PatientGrain
{
    public async Task<LoopSnapshot?> GetLoopSnapshotAsync()
    {
        if (await ServingSiteAsync() is null)
        {
            return null;
        }

        var since = (time.GetUtcNow() - OrefHistory.Span).ToUnixTimeMilliseconds();
        return new LoopSnapshot(_live.Profile?.ToSnapshot(), OrefHistory.Glucose(_entryWindow.Since(since, "sgv")),
            _live.DeviceStatus.Select(d => d.ToSnapshot()).ToList());
    }
}
