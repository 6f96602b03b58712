using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Clinics;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Clinics;

/// <summary>
/// A clinic's live board. The list of patients comes from PostgreSQL on every call (a revocation
/// is in force at the next request, on any silo); each patient's current reading comes from that
/// patient's grain, all in parallel, from memory. Time in range needs a scan of the readings, so
/// it is kept here and refreshed in the background: 24 h figures every minute, 14 days every ten.
/// No persistent state: all of it is rebuilt on activation.
/// </summary>
[GrainType("clinic")]
public sealed class ClinicGrain(ClinicStore store, TimeProvider time) : Grain, IClinicGrain
{
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
    private DateTimeOffset _dayComputed;
    private DateTimeOffset _fortnightComputed;
    private Task _refreshing = Task.CompletedTask;

    private string Clinic => this.GetPrimaryKeyString();

    public async Task<ClinicBoard> GetBoardAsync(string? subject)
    {
        var now = time.GetUtcNow();
        var patients = await store.PatientsOfAsync(Clinic);
        await EnsureInRangeAsync(patients, now);
        var rows = await Task.WhenAll(patients.Select(p => RowAsync(p, now)));
        await AuditBoardViewAsync(subject, patients, now);
        var ordered = rows.OrderBy(r => r.Urgency).ThenByDescending(r => r.AgeMinutes ?? int.MaxValue).ThenBy(r => r.Site, StringComparer.Ordinal).ToList();
        return new ClinicBoard(Clinic, now.ToUnixTimeMilliseconds(), ordered);
    }

    private async Task<ClinicBoardPatient> RowAsync(string patient, DateTimeOffset now)
    {
        var site = GrainFactory.Site(patient);
        var (name, settings) = await ProfileAsync(site.Access, patient, now);
        var json = await site.Documents.GetPropertiesAsync(CurrentProperties);
        var properties = json is null ? null : JsonNode.Parse(json) as JsonObject;
        var mgdl = Number(properties?["bgnow"]?["last"]);
        var mills = Number(properties?["bgnow"]?["mills"]) is { } m ? (long)m : (long?)null;
        var age = mills is { } at ? (int)Math.Max(0, (now.ToUnixTimeMilliseconds() - at) / 60_000) : (int?)null;
        return new ClinicBoardPatient(
            patient,
            name,
            Urgency(mgdl, age, settings),
            mgdl,
            mills,
            properties?["direction"]?["value"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? properties["direction"]!["value"]!.GetValue<string>() : null,
            Number(properties?["delta"]?["mgdl"]),
            age,
            settings.Units,
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
}
