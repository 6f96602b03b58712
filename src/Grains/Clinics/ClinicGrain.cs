using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Clinics;
using Nocturne.Grains.Interfaces.Push;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Push;

namespace Nocturne.Grains.Clinics;

/// <summary>
/// A clinic's live board. The list of patients comes from PostgreSQL on every call (a revocation
/// is in force at the next request, on any silo). Each patient's current reading is read once from
/// that patient's grain (all in parallel, from memory) and kept here; the grain follows each
/// patient's push feed while the board is being looked at, so a row is read again only after that
/// patient's data changed (or after <see cref="RowMaxAge"/>, which bounds what a lost push can
/// cost), and every change is passed on to the clinic's own followers as <c>boardUpdate</c>.
/// A board of hundreds of patients thus costs a handful of grain calls, not one per patient.
/// Time in range needs a scan of the readings, so it is kept here and refreshed in the
/// background: 24 h figures every minute, 14 days every ten. No persistent state: all of it is
/// rebuilt on activation.
/// </summary>
[GrainType("clinic")]
public sealed class ClinicGrain(ClinicStore store, TimeProvider time, ILogger<ClinicGrain> logger) : Grain, IClinicGrain, ISitePushObserver
{
    private static readonly TimeSpan RowMaxAge = TimeSpan.FromSeconds(60);
    // Following costs every followed patient's uploads a message here: stop when nobody looks.
    private static readonly TimeSpan FollowIdle = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DayRefresh = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FortnightRefresh = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ProfileRefresh = TimeSpan.FromMinutes(5);
    // A board refreshed every few seconds must not write an audit row per patient each time.
    private static readonly TimeSpan BoardAuditEvery = TimeSpan.FromHours(1);
    private static readonly string[] CurrentProperties = ["bgnow", "delta", "direction"];

    private readonly Dictionary<string, double?> _inRangeDay = [];
    private readonly Dictionary<string, double?> _inRangeFortnight = [];
    private readonly Dictionary<string, (string Name, SiteSettings Settings, DateTimeOffset At)> _profiles = [];
    private readonly Dictionary<(string? Subject, string Patient), DateTimeOffset> _audited = [];
    private readonly Dictionary<string, CurrentRow> _rows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _following = new(StringComparer.Ordinal);
    private IGrainTimer? _renewal;
    private DateTimeOffset _lastBoard;
    private DateTimeOffset _dayComputed;
    private DateTimeOffset _fortnightComputed;
    private Task _refreshing = Task.CompletedTask;

    private string Clinic => this.GetPrimaryKeyString();

    public async Task<ClinicBoard> GetBoardAsync(string? subject)
    {
        var now = time.GetUtcNow();
        _lastBoard = now;
        var patients = await store.PatientsOfAsync(Clinic);
        await FollowAsync(patients);
        await EnsureInRangeAsync(patients, now);
        var due = patients.Where(p => !_rows.TryGetValue(p, out var row) || row.Changed || now - row.ReadAt >= RowMaxAge).ToList();
        foreach (var (patient, row) in due.Zip(await Task.WhenAll(due.Select(p => ReadRowAsync(p, now)))))
        {
            _rows[patient] = row;
        }

        var rows = patients.Select(p => Row(p, _rows[p], now)).ToList();
        await AuditBoardViewAsync(subject, patients, now);
        var ordered = rows.OrderBy(r => r.Urgency).ThenByDescending(r => r.AgeMinutes ?? int.MaxValue).ThenBy(r => r.Site, StringComparer.Ordinal).ToList();
        return new ClinicBoard(Clinic, now.ToUnixTimeMilliseconds(), ordered);
    }

    public async Task SharesChangedAsync(string patient)
    {
        // The next board reads the shares again; followers of the board are told now.
        _rows.Remove(patient);
        if (_following.Remove(patient))
        {
            await PushOf(patient).UnsubscribeAsync(Self);
        }

        await PublishBoardUpdateAsync(patient);
    }

    public async Task OnPushAsync(SitePushEvent pushEvent)
    {
        if (pushEvent.Name != PushEventNames.DataUpdate || !_following.Contains(pushEvent.SiteId))
        {
            return;
        }

        if (_rows.TryGetValue(pushEvent.SiteId, out var row))
        {
            _rows[pushEvent.SiteId] = row with { Changed = true };
        }

        await PublishBoardUpdateAsync(pushEvent.SiteId);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await UnfollowAllAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private ISitePushObserver Self => this.AsReference<ISitePushObserver>();

    private ISitePushGrain PushOf(string site) => GrainFactory.GetGrain<ISitePushGrain>(SiteGrainKeys.For(site, "push"));

    private Task PublishBoardUpdateAsync(string patient) =>
        PushOf(Clinic).PublishAsync(new SitePushEvent(Clinic, PushEventNames.BoardUpdate,
            new JsonObject { ["site"] = patient }.ToJsonString(), time.GetUtcNow().ToUnixTimeMilliseconds()));

    private async Task FollowAsync(List<string> patients)
    {
        var wanted = patients.ToHashSet(StringComparer.Ordinal);
        var gone = _following.Where(p => !wanted.Contains(p)).ToList();
        var added = patients.Where(p => !_following.Contains(p)).ToList();
        // Subscribed before the row is read, so a change after the read is never missed.
        await Task.WhenAll(added.Select(p => PushOf(p).SubscribeAsync(Self)).Concat(gone.Select(p => PushOf(p).UnsubscribeAsync(Self))));
        foreach (var patient in gone)
        {
            _following.Remove(patient);
            _rows.Remove(patient);
        }

        _following.UnionWith(added);
        _renewal ??= this.RegisterGrainTimer(RenewAsync, new GrainTimerCreationOptions { DueTime = SitePushGrain.RenewEvery, Period = SitePushGrain.RenewEvery, KeepAlive = false });
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _lastBoard > FollowIdle)
        {
            await UnfollowAllAsync();
            return;
        }

        try
        {
            await Task.WhenAll(_following.Select(p => PushOf(p).SubscribeAsync(Self)));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // Rows fall back to RowMaxAge until the next renewal succeeds.
            logger.LogWarning(ex, "Clinic {Clinic}: renewing the board's subscriptions failed", Clinic);
        }
    }

    private async Task UnfollowAllAsync()
    {
        _renewal?.Dispose();
        _renewal = null;
        var following = _following.ToList();
        _following.Clear();
        _rows.Clear();
        try
        {
            await Task.WhenAll(following.Select(p => PushOf(p).UnsubscribeAsync(Self)));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The leases run out by themselves.
            logger.LogDebug(ex, "Clinic {Clinic}: unsubscribing failed", Clinic);
        }
    }

    private async Task<CurrentRow> ReadRowAsync(string patient, DateTimeOffset now)
    {
        var site = GrainFactory.Site(patient);
        var (name, settings) = await ProfileAsync(site.Access, patient, now);
        var json = await site.Documents.GetPropertiesAsync(CurrentProperties);
        var properties = json is null ? null : JsonNode.Parse(json) as JsonObject;
        return new CurrentRow(
            name,
            settings,
            Number(properties?["bgnow"]?["last"]),
            Number(properties?["bgnow"]?["mills"]) is { } m ? (long)m : null,
            properties?["direction"]?["value"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? properties["direction"]!["value"]!.GetValue<string>() : null,
            Number(properties?["delta"]?["mgdl"]),
            now,
            Changed: false);
    }

    private ClinicBoardPatient Row(string patient, CurrentRow row, DateTimeOffset now)
    {
        // Age, and with it staleness, moves with the clock, not with the patient's data.
        var age = row.Mills is { } at ? (int)Math.Max(0, (now.ToUnixTimeMilliseconds() - at) / 60_000) : (int?)null;
        return new ClinicBoardPatient(
            patient,
            row.Name,
            Urgency(row.Mgdl, age, row.Settings),
            row.Mgdl,
            row.Mills,
            row.Direction,
            row.DeltaMgdl,
            age,
            row.Settings.Units,
            _inRangeDay.GetValueOrDefault(patient),
            _inRangeFortnight.GetValueOrDefault(patient));
    }

    /// <summary>Urgent low first, then low, stale (the site's warning age, 15 minutes by default), urgent high, high.</summary>
    public static ClinicUrgency Urgency(double? mgdl, int? ageMinutes, SiteSettings settings)
    {
        if (mgdl is not { } value || ageMinutes is not { } age || age >= settings.AlarmTimeagoWarnMins)
        {
            return ClinicUrgency.Stale;
        }

        var t = settings.Thresholds;
        return value < t.BgLow ? ClinicUrgency.UrgentLow
            : value < t.BgTargetBottom ? ClinicUrgency.Low
            : value > t.BgHigh ? ClinicUrgency.UrgentHigh
            : value > t.BgTargetTop ? ClinicUrgency.High
            : ClinicUrgency.InRange;
    }

    private async Task<(string Name, SiteSettings Settings)> ProfileAsync(ISiteAccessGrain grain, string patient, DateTimeOffset now)
    {
        if (_profiles.TryGetValue(patient, out var cached) && now - cached.At < ProfileRefresh)
        {
            return (cached.Name, cached.Settings);
        }

        var summary = await grain.GetSummaryAsync();
        var settings = await grain.GetSettingsAsync() ?? new SiteSettings();
        _profiles[patient] = (summary?.DisplayName ?? patient, settings, now);
        return (summary?.DisplayName ?? patient, settings);
    }

    private async Task EnsureInRangeAsync(List<string> patients, DateTimeOffset now)
    {
        var missing = patients.Where(p => !_inRangeDay.ContainsKey(p)).ToList();
        if (missing.Count > 0)
        {
            await ComputeInRangeAsync(missing, now);
        }

        if (_refreshing.IsCompleted && (now - _dayComputed > DayRefresh || now - _fortnightComputed > FortnightRefresh))
        {
            // Off the request path: the next board shows the refreshed figures.
            _refreshing = RefreshAsync(patients, now);
        }
    }

    private async Task RefreshAsync(List<string> patients, DateTimeOffset now)
    {
        await Task.Yield();
        try
        {
            await ComputeInRangeAsync(patients, now, fortnight: now - _fortnightComputed > FortnightRefresh);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // A failed refresh keeps the previous figures; the next board tries again.
        }
    }

    private async Task ComputeInRangeAsync(List<string> patients, DateTimeOffset now, bool fortnight = true)
    {
        var day = await store.InRangeSinceAsync(patients, (now - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds());
        foreach (var patient in patients)
        {
            _inRangeDay[patient] = day.TryGetValue(patient, out var share) ? share : null;
        }

        _dayComputed = now;
        if (fortnight)
        {
            var weeks = await store.InRangeSinceAsync(patients, (now - TimeSpan.FromDays(14)).ToUnixTimeMilliseconds());
            foreach (var patient in patients)
            {
                _inRangeFortnight[patient] = weeks.TryGetValue(patient, out var share) ? share : null;
            }

            _fortnightComputed = now;
        }
    }

    private async Task AuditBoardViewAsync(string? subject, List<string> patients, DateTimeOffset now)
    {
        var due = patients.Where(p => !_audited.TryGetValue((subject, p), out var at) || now - at >= BoardAuditEvery).ToList();
        await store.AuditManyAsync(due, Clinic, subject, "board");
        foreach (var patient in due)
        {
            _audited[(subject, patient)] = now;
        }
    }

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number ? value.GetValue<double>() : null;

    /// <summary>What the board keeps of one patient between reads of that patient's grain.</summary>
    private sealed record CurrentRow(string Name, SiteSettings Settings, double? Mgdl, long? Mills, string? Direction, double? DeltaMgdl, DateTimeOffset ReadAt, bool Changed);
}
