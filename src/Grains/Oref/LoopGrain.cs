using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Interfaces.Tenants;
using Orleans.Concurrency;
using Nocturne.OrefInterop;

namespace Nocturne.Grains.Oref;

/// <summary>
/// The OpenAPS loop over a site's own data: a snapshot of the patient's live window (profile,
/// readings, device status) and the stored treatments, through the OrefGrain (a local stateless
/// worker). It keeps nothing between calls but the last iob/cob answer for a moment, so each silo runs it locally and in parallel.
/// </summary>
[GrainType("loop"), StatelessWorker]
public sealed class LoopGrain(DocumentStore documents, TimeProvider time) : Grain, ILoopGrain
{
    // Device status this recent speaks for the loop running on the phone or rig.
    private static readonly TimeSpan DeviceStatusFresh = TimeSpan.FromMinutes(10);

    private sealed record LoopInputs(List<StoredDocument> Treatments, List<OrefTreatment> History, OrefProfileMapper.Mapped? Profile, string? Problem, List<OrefTempTarget> TempTargets);

    private readonly Dictionary<(bool Iob, bool Cob), (long Version, DateTimeOffset At, string? Json)> _insulinAndCarbs = [];

    private string SiteId => this.GetPrimaryKeyString();

    private async Task<LoopInputs> LoadLoopInputsAsync(LoopSnapshot snapshot, DateTimeOffset now)
    {
        var since = (now - OrefHistory.Span).ToUnixTimeMilliseconds();
        // Only the last 24 hours are read, newest first; a day of a looping pump is a few hundred rows.
        var treatments = await documents.LoadRecentAsync(Collection.Treatments, SiteId, since, 5000, CancellationToken.None);
        treatments = treatments.Where(t => t.DateMs <= now.ToUnixTimeMilliseconds()).ToList();
        var targets = OrefHistory.TempTargets(treatments);
        var (profile, problem) = OrefProfileMapper.Map(snapshot.Profile is { } stored ? StoredDocument.FromSnapshot(stored) : null, now, OrefHistory.ActiveTempTarget(targets, now));
        return new LoopInputs(treatments, OrefHistory.Treatments(treatments), profile, problem, targets);
    }

    public async Task<OrefLoopOutcome?> SuggestAsync(bool microBolusAllowed)
    {
        if (await GrainFactory.Site(SiteId).Documents.GetLoopSnapshotAsync() is not { } snapshot)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var inputs = await LoadLoopInputsAsync(snapshot, now);
        if (inputs.Profile is not { } profile)
        {
            return new OrefLoopOutcome(null, inputs.Problem);
        }

        var glucose = snapshot.Glucose.ToList();
        if (glucose.Count == 0)
        {
            return new OrefLoopOutcome(null, "no CGM readings in the last 24 hours");
        }

        var request = new SuggestRequest(inputs.History, glucose, profile.Profile, OrefHistory.CurrentTemp(inputs.Treatments, now), inputs.TempTargets,
            UseAutosens: true, microBolusAllowed, now.ToUnixTimeMilliseconds(), profile.UtcOffsetMinutes, profile.UtcOffsets);
        try
        {
            var result = await GrainFactory.GetGrain<IOrefGrain>(0).SuggestAsync(request);
            return new OrefLoopOutcome(result, null);
        }
        catch (OrefException refused)
        {
            // oref refuses records outside physical ranges (a 1e12 U/h temp) or a call over its budget.
            return new OrefLoopOutcome(null, $"oref cannot run on the site's data: {refused.Message}");
        }
    }

    // A loop's fresh device status when there is one (as the reference prefers), otherwise oref
    // over the stored treatments and readings.
    public async Task<string?> GetInsulinAndCarbsAsync(bool iob, bool cob)
    {
        // Followers poll properties together: the same answer serves for a moment, until any document of the site changes.
        var now = time.GetUtcNow();
        var version = (await GrainFactory.Site(SiteId).Documents.GetLastModifiedAsync()).Values.DefaultIfEmpty(0).Max();
        if (_insulinAndCarbs.TryGetValue((iob, cob), out var cached) && cached.Version == version && now >= cached.At
            && now - cached.At < Properties.RenderedProperties.Fresh)
        {
            return cached.Json;
        }

        string? json = null;
        if (await GrainFactory.Site(SiteId).Documents.GetLoopSnapshotAsync() is { } snapshot)
        {
            var properties = new JsonObject();
            await AddInsulinAndCarbsAsync(properties, snapshot, name => name == "iob" ? iob : name == "cob" && cob, now);
            json = properties.ToJsonString();
        }

        _insulinAndCarbs[(iob, cob)] = (version, now, json);
        return json;
    }

    private async Task AddInsulinAndCarbsAsync(JsonObject properties, LoopSnapshot snapshot, Func<string, bool> want, DateTimeOffset now)
    {
        if (!want("iob") && !want("cob"))
        {
            return;
        }

        var nowMs = now.ToUnixTimeMilliseconds();
        var fresh = snapshot.DeviceStatus.Where(d => nowMs - d.DateMs <= DeviceStatusFresh.TotalMilliseconds).Select(StoredDocument.FromSnapshot).ToList();
        var fromDevice = DeviceIob(fresh);
        var cobFromDevice = DeviceCob(fresh);
        if ((!want("iob") || fromDevice is not null) && (!want("cob") || cobFromDevice is not null))
        {
            SetIfWanted(properties, want, fromDevice, cobFromDevice);
            return;
        }

        var inputs = await LoadLoopInputsAsync(snapshot, now);
        if (inputs.Profile is not { } profile)
        {
            SetIfWanted(properties, want, fromDevice, cobFromDevice);
            return;
        }

        var oref = GrainFactory.GetGrain<IOrefGrain>(0);
        try
        {
            if (want("iob") && fromDevice is null)
            {
                var iob = (await oref.CalculateIobFromHistoryAsync(new IobHistoryRequest(inputs.History, profile.Profile, nowMs, profile.UtcOffsetMinutes, CurrentOnly: true, UtcOffsets: profile.UtcOffsets)))[0];
                fromDevice = IobProperty(iob.Iob, iob.Activity, iob.BasalIob, iob.BolusIob, "Care Portal", null, nowMs);
            }

            if (want("cob") && cobFromDevice is null)
            {
                var glucose = snapshot.Glucose.ToList();
                var meal = await oref.CalculateMealAsync(new MealRequest(inputs.History, profile.Profile, glucose, nowMs, profile.UtcOffsetMinutes, profile.UtcOffsets));
                cobFromDevice = CobProperty(meal.MealCob ?? 0, "Care Portal", null, nowMs);
            }
        }
        catch (OrefException)
        {
            // Data oref refuses leaves iob/cob out rather than failing the whole properties answer.
        }

        SetIfWanted(properties, want, fromDevice, cobFromDevice);
    }

    private static void SetIfWanted(JsonObject properties, Func<string, bool> want, JsonObject? iob, JsonObject? cob)
    {
        if (want("iob") && iob is not null)
        {
            properties["iob"] = iob;
        }

        if (want("cob") && cob is not null)
        {
            properties["cob"] = cob;
        }
    }

    private static JsonObject IobProperty(double iob, double? activity, double? basalIob, double? bolusIob, string? source, string? device, long mills)
    {
        var display = iob.ToString("0.00", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["iob"] = Math.Round(iob, 2),
            ["activity"] = activity,
            ["basaliob"] = basalIob,
            ["bolusiob"] = bolusIob,
            ["source"] = source,
            ["device"] = device,
            ["mills"] = mills,
            ["display"] = display,
            ["displayLine"] = $"IOB: {display}U",
        };
    }

    private static JsonObject CobProperty(double cob, string source, string? device, long mills)
    {
        var rounded = Math.Round(cob);
        return new JsonObject
        {
            ["cob"] = rounded,
            ["source"] = source,
            ["device"] = device,
            ["mills"] = mills,
            ["display"] = rounded,
            ["displayLine"] = $"COB: {rounded.ToString(CultureInfo.InvariantCulture)}g",
        };
    }

    private static JsonObject? DeviceIob(List<StoredDocument> statuses)
    {
        foreach (var status in statuses)
        {
            var device = JsonText.Of(status.Doc["device"]);
            var openapsIob = status.Doc["openaps"]?["iob"] is JsonArray list ? list.FirstOrDefault() : status.Doc["openaps"]?["iob"];
            if (openapsIob is JsonObject o && DocumentTime.TryNumber(o["iob"], out var iob))
            {
                return IobProperty(iob, Optional(o["activity"]), Optional(o["basaliob"]), Optional(o["bolusiob"]), "OpenAPS", device, status.DateMs);
            }

            if (status.Doc["loop"]?["iob"] is JsonObject l && DocumentTime.TryNumber(l["iob"], out var loopIob))
            {
                return IobProperty(loopIob, null, null, null, "Loop", device, status.DateMs);
            }

            // A pump's own report (MiniMed Connect uploads pump.iob.bolusiob): labelled as the reference labels it.
            if (status.Doc["pump"]?["iob"] is JsonObject pump
                && (DocumentTime.TryNumber(pump["iob"], out var pumpIob) && pumpIob != 0 || DocumentTime.TryNumber(pump["bolusiob"], out pumpIob)))
            {
                return IobProperty(pumpIob, null, null, null, status.Doc.ContainsKey("connect") ? "MM Connect" : null, device, status.DateMs);
            }
        }

        return null;
    }

    private static JsonObject? DeviceCob(List<StoredDocument> statuses)
    {
        foreach (var status in statuses)
        {
            var device = JsonText.Of(status.Doc["device"]);
            var openaps = status.Doc["openaps"];
            var suggested = openaps?["enacted"]?["COB"] ?? openaps?["suggested"]?["COB"];
            if (suggested is not null && DocumentTime.TryNumber(suggested, out var cob))
            {
                return CobProperty(cob, "OpenAPS", device, status.DateMs);
            }

            if (status.Doc["loop"]?["cob"] is JsonObject l && DocumentTime.TryNumber(l["cob"], out var loopCob))
            {
                return CobProperty(loopCob, "Loop", device, status.DateMs);
            }
        }

        return null;
    }

    private static double? Optional(JsonNode? node) => node is not null && DocumentTime.TryNumber(node, out var v) ? v : null;
}
