using Microsoft.Extensions.Logging;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Tenants;

/// <summary>
/// One patient's documents: their single writer (validation, dedup, the srvModified clock, one
/// transaction per request) and the live window derived from them. Who may call it is decided
/// before, by the site's <see cref="SiteAccessGrain"/>, which it asks whether the site exists and is
/// enabled; a key with no site behind it deactivates at once.
/// </summary>
[GrainType("patient")]
public sealed partial class PatientGrain(DocumentStore documents, TimeProvider time, ILogger<PatientGrain> logger) : Grain, IPatientGrain
{
    // The creation of the site the live state was loaded for (see SiteState.Incarnation).
    private long? _incarnation;
    private (long Incarnation, Task Load)? _reload;
    private bool _countedLive;

    private string SiteId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await GrainFactory.Site(SiteId).Access.GetStateAsync() is { } site)
            {
                await LoadLiveStateAsync(cancellationToken);
                _incarnation = site.Incarnation;
            }
        }
        catch (Exception ex) when (Storage.StorageFailures.Translate(ex) is { } translated)
        {
            // Activation failures travel to the caller like call failures: keep them serializable.
            throw translated;
        }

        // Counted even without a site row: a site being created activates its grain before the row exists.
        _countedLive = true;
        Telemetry.NocturneMetrics.LiveSites.Add(1);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_countedLive)
        {
            Telemetry.NocturneMetrics.LiveSites.Add(-1);
            _countedLive = false;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The site while it serves data (exists and is enabled), with the live state loaded for this
    /// creation of it; null otherwise. An unknown site drops this activation, so that probing keys
    /// pins nothing in memory and a site created later starts from PostgreSQL.
    /// </summary>
    private async Task<SiteState?> ServingSiteAsync()
    {
        var site = await GrainFactory.Site(SiteId).Access.GetStateAsync();
        if (site is null)
        {
            DeactivateOnIdle();
            return null;
        }

        if (site.Incarnation != _incarnation)
        {
            // The id was deleted and created again while this activation lived: nothing of the old site may show.
            await ReloadAsync(site.Incarnation);
        }

        return site.Enabled ? site : null;
    }

    // Reads interleave with each other, so concurrent callers share one reload.
    private Task ReloadAsync(long incarnation)
    {
        if (_reload is not { } pending || pending.Incarnation != incarnation || pending.Load.IsFaulted)
        {
            _reload = (incarnation, LoadAsync());
        }

        return _reload.Value.Load;

        async Task LoadAsync()
        {
            await LoadLiveStateAsync(CancellationToken.None);
            _incarnation = incarnation;
            logger.LogInformation("Site {Site} was created again; its live state was reloaded", SiteId);
        }
    }
}
