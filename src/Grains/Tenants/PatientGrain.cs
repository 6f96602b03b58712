using Microsoft.Extensions.Logging;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Tenants;

/// <summary>
/// One patient's documents: their single writer (validation, dedup, the srvModified clock, one
/// transaction per request) and the live window derived from them. Who may call it is decided
/// before, by the site's <see cref="SiteAccessGrain"/>, which tells it of every change to the site
/// (created, settings, enabled, deleted) so that reads need not ask; a key with no site behind it
/// deactivates at once.
/// </summary>
[GrainType("patient")]
public sealed partial class PatientGrain(DocumentStore documents, Storage.ActivationLoadGate loads, TimeProvider time, ILogger<PatientGrain> logger) : Grain, IPatientGrain
{
    // The creation of the site the live state was loaded for (see SiteState.Incarnation).
    private long? _incarnation;
    private (long Incarnation, Task Load)? _reload;
    private bool _countedLive;

    // The site's state as its access grain last told or answered (null: not known; asked on the next read).
    private SiteState? _site;
    private DateTimeOffset _siteKnownAt;
    private long _siteNotices;

    private static readonly TimeSpan SiteStateRecheck = TimeSpan.FromSeconds(30);

    // Decoded from the grain key once: an upload asked for it about ten times, each a UTF-8 decode.
    private string? _siteId;

    private string SiteId => _siteId ??= this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await GrainFactory.Site(SiteId).Access.GetStateAsync() is { } site)
            {
                await LoadLiveStateAsync(cancellationToken);
                _incarnation = site.Incarnation;
                Remember(site);
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
        var site = KnownSite();
        if (site is null)
        {
            var notices = _siteNotices;
            site = await GrainFactory.Site(SiteId).Access.GetStateAsync();
            if (site is null)
            {
                DeactivateOnIdle();
                return null;
            }

            // A notice that came while asking is newer than the answer.
            if (notices == _siteNotices)
            {
                Remember(site);
            }
        }

        if (site.Incarnation != _incarnation)
        {
            // The id was deleted and created again while this activation lived: nothing of the old site may show.
            await ReloadAsync(site.Incarnation);
        }

        return site.Enabled ? site : null;
    }

    // Whether the site's push grain has anyone to deliver dataUpdate to. An activation starts out
    // publishing; the push grain's "nobody" stops it (a site without followers then builds and sends
    // nothing per upload) and its first relay starts it again. The generation tells a "nobody" about
    // a change published before a follower came from one about a change after.
    private bool _followed = true;
    private long _followGeneration;

    public Task FollowedAsync()
    {
        _followGeneration++;
        _followed = true;
        return Task.CompletedTask;
    }

    public Task UnfollowedAsync(long followGeneration)
    {
        if (followGeneration == _followGeneration)
        {
            _followed = false;
        }

        return Task.CompletedTask;
    }

    public Task SiteChangedAsync(SiteState? site)
    {
        _siteNotices++;
        _site = null;
        if (site is null)
        {
            DeactivateOnIdle();
        }
        else
        {
            Remember(site);
        }

        return Task.CompletedTask;
    }

    private void Remember(SiteState site)
    {
        _site = site;
        _siteKnownAt = time.GetUtcNow();
    }

    // What the access grain last said, while it is recent: it tells of every change, and asking it
    // again now and then bounds how long a lost notice (a call that failed) could leave a change unseen.
    private SiteState? KnownSite()
    {
        var age = time.GetUtcNow() - _siteKnownAt;
        return _site is not null && age >= TimeSpan.Zero && age < SiteStateRecheck ? _site : null;
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
