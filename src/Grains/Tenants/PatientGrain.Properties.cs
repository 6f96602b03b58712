using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Oref;

namespace Nocturne.Grains.Tenants;

// /api/v2/properties, iob and cob included, from what the grain keeps in memory: the window, the
// live state and the last day's treatments (no query per read once they are loaded).
public sealed partial class PatientGrain
{
    private readonly Properties.RenderedProperties _renderedProperties = new();
    private readonly RecentTreatments _recentTreatments = new();

    public async Task<string?> GetPropertiesAsync(IReadOnlyList<string>? names)
    {
        if (await ServingSiteAsync() is not { } site)
        {
            return null;
        }

        var now = time.GetUtcNow();
        return await _renderedProperties.GetOrComputeAsync(names, site.Settings, now, async lifetime =>
        {
            var properties = Properties.SiteProperties.Compute(names, _entryWindow, _live, site.Settings, now, lifetime);
            await InsulinAndCarbs.AddAsync(properties, names is null || names.Contains("iob"), names is null || names.Contains("cob"), _live.DeviceStatus, _live.Profile,
                () => _recentTreatments.ReadAsync(documents, SiteId, now),
                () => OrefHistory.Glucose(_entryWindow.Since((now - OrefHistory.Span).ToUnixTimeMilliseconds(), "sgv")),
                GrainFactory.GetGrain<IOrefGrain>(0), now, lifetime);
            return properties.ToJsonString();
        });
    }

    // A committed change: no answer computed before it may serve after it.
    private void PropertiesFollow(Documents.DocumentChange change)
    {
        _renderedProperties.Clear();
        _recentTreatments.Apply(change);
    }

    private void PropertiesReloaded()
    {
        _renderedProperties.Clear();
        _recentTreatments.Clear();
    }
}
