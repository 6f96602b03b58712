using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.OrefInterop;

namespace Nocturne.Grains.Oref;

/// <summary>
/// The <c>iob</c> and <c>cob</c> properties of <c>/api/v2/properties</c>, as of the request's
/// time: a loop's fresh device status when there is one (as the reference prefers), otherwise
/// oref over the last day's treatments and readings with the current profile. The patient grain
/// computes them from what it keeps in memory.
/// </summary>
public static class InsulinAndCarbs
{
    // Device status this recent speaks for the loop running on the phone or rig.
    private static readonly TimeSpan DeviceStatusFresh = TimeSpan.FromMinutes(10);

    /// <summary>Adds the wanted ones of iob and cob that are known to <paramref name="properties"/>.</summary>
    /// <param name="deviceStatus">The site's recent device status, newest first.</param>
    /// <param name="treatments">The treatments of the 24 hours up to <paramref name="now"/> (read only when oref must run).</param>
    /// <param name="glucose">The readings of the last 24 hours in oref's shape (read only when oref computes cob).</param>
    /// <param name="lifetime">Told when the answer can next differ as time passes.</param>
    public static async Task AddAsync(JsonObject properties, bool wantIob, bool wantCob, IReadOnlyList<StoredDocument> deviceStatus, StoredDocument? profileDocument,
        Func<Task<List<StoredDocument>>> treatments, Func<List<OrefGlucose>> glucose, IOrefGrain oref, DateTimeOffset now, Properties.AnswerLifetime lifetime)
    {
        if (!wantIob && !wantCob)
        {
            return;
        }

        bool Want(string name) => name == "iob" ? wantIob : wantCob;
        var nowMs = now.ToUnixTimeMilliseconds();
        var fresh = deviceStatus.Where(d => nowMs - d.DateMs <= DeviceStatusFresh.TotalMilliseconds).ToList();
        foreach (var status in fresh)
        {
            // A status turns stale once; one already stale never speaks again.
            lifetime.EndsBy(status.DateMs + (long)DeviceStatusFresh.TotalMilliseconds + 1);
        }

        var fromDevice = DeviceIob(fresh);
        var cobFromDevice = DeviceCob(fresh);
        if ((!wantIob || fromDevice is not null) && (!wantCob || cobFromDevice is not null))
        {
            SetIfWanted(properties, Want, fromDevice, cobFromDevice);
            return;
        }

        // Without a profile oref has nothing to compute with: the day's treatments are not needed.
        if (profileDocument is null)
        {
            SetIfWanted(properties, Want, fromDevice, cobFromDevice);
            return;
        }

        lifetime.MovesWithTheClock();
        var recent = await treatments();
        var (profile, _) = OrefProfileMapper.Map(profileDocument, now, OrefHistory.ActiveTempTarget(OrefHistory.TempTargets(recent), now));
        if (profile is null)
        {
            SetIfWanted(properties, Want, fromDevice, cobFromDevice);
            return;
        }

        var history = OrefHistory.Treatments(recent);
        try
        {
            if (wantIob && fromDevice is null)
            {
                var iob = (await oref.CalculateIobFromHistoryAsync(new IobHistoryRequest(history, profile.Profile, nowMs, profile.UtcOffsetMinutes, CurrentOnly: true, UtcOffsets: profile.UtcOffsets)))[0];
                fromDevice = IobProperty(iob.Iob, iob.Activity, iob.BasalIob, iob.BolusIob, "Care Portal", null, nowMs);
            }

            if (wantCob && cobFromDevice is null)
            {
                var meal = await oref.CalculateMealAsync(new MealRequest(history, profile.Profile, glucose(), nowMs, profile.UtcOffsetMinutes, profile.UtcOffsets));
                cobFromDevice = CobProperty(meal.MealCob ?? 0, "Care Portal", null, nowMs);
            }
        }
        catch (OrefException)
        {
            // Data oref refuses leaves iob/cob out rather than failing the whole properties answer.
        }

        SetIfWanted(properties, Want, fromDevice, cobFromDevice);
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
