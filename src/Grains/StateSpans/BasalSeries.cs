using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.StateSpans;

namespace Nocturne.Grains.StateSpans;

/// <summary>
/// The effective basal over a time range, as a step series. The scheduled rate comes from the
/// profile document in force (the newest one that started by then) and the Profile span in force
/// (its profile name picks the store entry, else the document's default; percentage scales the
/// rate; a timeshift of N hours plays the schedule N hours later), read at the store's local time with daylight
/// saving. A TempBasal span replaces it (absolute rate, or percent as Nightscout reads it: the
/// scheduled rate changed by that many percent); a Suspended pump mode makes it 0.
/// </summary>
public static class BasalSeries
{
    private const long Minute = 60_000;

    /// <param name="profiles">Profile documents, any order; the one in force at a time is the newest started by then.</param>
    public static List<BasalPoint> Build(long fromMs, long toMs, IReadOnlyList<StoredDocument> profiles, IReadOnlyList<StateSpan> spans)
    {
        var ordered = profiles.OrderBy(p => p.DateMs).ToList();
        var boundaries = new SortedSet<long> { fromMs };
        // Schedules change on whole local minutes, and every zone's offset is whole minutes.
        for (var t = (fromMs / Minute + 1) * Minute; t < toMs; t += Minute)
        {
            boundaries.Add(t);
        }

        foreach (var span in spans)
        {
            foreach (var edge in new[] { span.StartMills, span.EndMills ?? long.MaxValue })
            {
                if (edge > fromMs && edge < toMs)
                {
                    boundaries.Add(edge);
                }
            }
        }

        foreach (var profile in ordered.Where(p => p.DateMs > fromMs && p.DateMs < toMs))
        {
            boundaries.Add(profile.DateMs);
        }

        var points = new List<BasalPoint>();
        foreach (var t in boundaries)
        {
            var point = At(t, ordered, spans);
            if (point is null)
            {
                continue;
            }

            if (points.Count > 0 && points[^1] is var last && last.Rate == point.Rate && last.Type == point.Type && last.Scheduled == point.Scheduled
                && last.Profile == point.Profile)
            {
                continue;
            }

            points.Add(point);
        }

        return points;
    }

    /// <summary>The effective basal at one instant; null without a usable profile.</summary>
    public static BasalPoint? At(long t, IReadOnlyList<StoredDocument> profilesByStart, IReadOnlyList<StateSpan> spans)
    {
        StateSpan? InForce(StateSpanCategory category) =>
            spans.Where(s => s.Category == category && s.StartMills <= t && (s.EndMills is null || s.EndMills > t)).MaxBy(s => s.StartMills);

        var document = profilesByStart.LastOrDefault(p => p.DateMs <= t) ?? (profilesByStart.Count > 0 ? profilesByStart[0] : null);
        var switched = InForce(StateSpanCategory.Profile);
        var switchMeta = switched is null ? null : JsonNode.Parse(switched.MetadataJson) as JsonObject;
        var scheduled = Scheduled(document?.Doc, t, switchMeta, out var profileName);
        if (InForce(StateSpanCategory.PumpMode) is { State: "Suspended" })
        {
            return new BasalPoint(t, 0, scheduled, "suspended", profileName);
        }

        if (InForce(StateSpanCategory.TempBasal) is { } temp && JsonNode.Parse(temp.MetadataJson) is JsonObject tempMeta)
        {
            if (Number(tempMeta["rate"]) is { } absolute)
            {
                return new BasalPoint(t, Round(absolute), scheduled, "temp", profileName);
            }

            if (Number(tempMeta["percent"]) is { } percent && scheduled is { } s)
            {
                return new BasalPoint(t, Round(Math.Max(0, s * (100 + percent) / 100)), scheduled, "temp", profileName);
            }
        }

        return scheduled is { } rate ? new BasalPoint(t, rate, rate, "scheduled", profileName) : null;
    }

    private static double? Scheduled(JsonObject? document, long t, JsonObject? switchMeta, out string? profileName)
    {
        profileName = null;
        if (ProfileSchedule.Active(document) is not var (defaultName, defaultStore))
        {
            return null;
        }

        var (name, store) = (defaultName, defaultStore);
        if (JsonText.Of(switchMeta?["profile"]) is { } switchedTo && document!["store"]?[switchedTo] is JsonObject switchedStore)
        {
            (name, store) = (switchedTo, switchedStore);
        }

        profileName = name;
        var percentage = Number(switchMeta?["percentage"]) ?? 100;
        var timeshiftHours = Number(switchMeta?["timeshift"]) ?? 0;
        var zone = ProfileSchedule.Zone(store) ?? TimeZoneInfo.Utc;
        // A timeshift of +2 h plays the schedule two hours later (its 22:00 rate at 00:00), as AndroidAPS does.
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(t), zone).AddHours(-timeshiftHours);
        var secondsOfDay = local.TimeOfDay.TotalSeconds;
        var slots = ProfileSchedule.Read(store["basal"]);
        return ProfileSchedule.At(slots.OrderBy(s => s.StartSeconds), secondsOfDay) is { } rate ? Round(rate * percentage / 100) : null;
    }

    private static double Round(double rate) => Math.Round(rate, 3);

    private static double? Number(JsonNode? node) => node is not null && DocumentTime.TryNumber(node, out var v) && double.IsFinite(v) ? v : null;
}
