using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Oref;

namespace Nocturne.Grains.Oref;

/// <summary>
/// Builds oref0's profile from a site's current Nightscout profile document, as
/// oref0-get-profile does: the active store's schedules (basal, ISF, carb ratio, targets) read
/// at the profile's local time, mmol/L converted to mg/dL, an active temp target applied, and
/// oref0's default preferences for the settings Nightscout does not store (max_iob 0, so the
/// loop never asks for more than scheduled basal unless a client configures otherwise).
/// </summary>
public static class OrefProfileMapper
{
    /// <summary>The profile, the offset at the clock, and the offsets over the loop's window (null without a known zone).</summary>
    public sealed record Mapped(OrefProfile Profile, int UtcOffsetMinutes, IReadOnlyList<OrefUtcOffset>? UtcOffsets);

    // The loop reads 24 hours of history and predicts 4 hours ahead; the table covers more.
    private static readonly TimeSpan ZoneTableBefore = TimeSpan.FromDays(2);
    private static readonly TimeSpan ZoneTableAfter = TimeSpan.FromDays(1);

    /// <summary>The mapped profile, or a reason why the document cannot drive oref.</summary>
    public static (Mapped? Mapped, string? Problem) Map(StoredDocument? document, DateTimeOffset now, OrefTempTarget? activeTempTarget, OrefPreferences? preferences = null)
    {
        if (document?.Doc is not { } doc || doc["store"] is not JsonObject { Count: > 0 })
        {
            return (null, "the site has no profile");
        }

        if (ProfileSchedule.Active(doc) is not var (_, active))
        {
            return (null, $"the profile's default '{(string?)(doc["defaultProfile"] as JsonValue)}' is not in its store");
        }

        var clock = PatientClock.Of(active);
        var zone = clock.Zone;
        var offset = clock.UtcOffsetMinutes(now);
        var units = (string?)(active["units"] as JsonValue) ?? (string?)(doc["units"] as JsonValue) ?? "mg/dl";
        var toMgdl = Properties.GlucoseUnits.OrefToMgdlFactor(units);
        var minuteOfDay = clock.MinuteOfDay(now);

        var basal = Sorted(active["basal"]);
        var sens = Sorted(active["sens"]);
        var carbRatio = Sorted(active["carbratio"]);
        var low = Sorted(active["target_low"]);
        var high = Sorted(active["target_high"]);
        if (basal.Count == 0 || sens.Count == 0 || carbRatio.Count == 0 || !DocumentTime.TryNumber(active["dia"], out var dia) || dia <= 0)
        {
            return (null, "the profile needs dia, basal, sens and carbratio schedules");
        }

        if (basal.Any(b => b.Value <= 0) || sens.Any(s => s.Value <= 0) || carbRatio.Any(c => c.Value <= 0))
        {
            return (null, "basal rates, sensitivities and carb ratios must be positive");
        }

        var minBg = At(low, minuteOfDay) * toMgdl;
        var maxBg = At(high, minuteOfDay) * toMgdl;
        if (activeTempTarget is { } target)
        {
            (minBg, maxBg) = (target.TargetBottom, target.TargetTop);
        }

        (minBg, maxBg) = (BoundTarget(minBg), BoundTarget(maxBg));

        var maxDaily = basal.Max(b => b.Value);
        var currentBasal = At(basal, minuteOfDay);
        // A store may carry the pump's maximum temp rate; without one, the daily and current
        // safety multipliers decide (Nightscout has no such setting of its own).
        var maxBasal = (preferences ?? OrefPreferences.Defaults).MaxDailySafetyMultiplier * maxDaily;
        if (active["max_basal"] is { } storedMax)
        {
            if (!DocumentTime.TryNumber(storedMax, out maxBasal) || maxBasal < 0)
            {
                return (null, "the profile's max_basal must be a non-negative rate in U/h");
            }

            // oref0 would still set a "neutral" temp at the scheduled rate, above the user's own
            // maximum; advice must not exceed it, so such a profile is refused.
            if (maxBasal < currentBasal)
            {
                return (null, FormattableString.Invariant($"the profile's max_basal {maxBasal} U/h is below the scheduled basal {currentBasal} U/h; oref would advise a temp above the pump's maximum"));
            }
        }

        var profile = (preferences ?? OrefPreferences.Defaults).ToProfile() with
        {
            Dia = dia,
            CurrentBasal = currentBasal,
            BasalProfile = basal.Select((b, i) => new OrefBasalEntry(i, b.StartSeconds / 60, b.Value)).ToList(),
            MaxDailyBasal = maxDaily,
            MaxBasal = maxBasal,
            MinBg = double.IsNaN(minBg) ? null : Math.Round(minBg),
            MaxBg = double.IsNaN(maxBg) ? null : Math.Round(maxBg),
            TempTargetSet = activeTempTarget is not null,
            Sens = At(sens, minuteOfDay) * toMgdl,
            IsfProfile = new OrefIsfProfile(sens.Select(s => new OrefIsfEntry(s.StartSeconds / 60, s.Value * toMgdl)).ToList()),
            CarbRatio = At(carbRatio, minuteOfDay),
            OutUnits = toMgdl > 1 ? "mmol/L" : "mg/dL",
        };
        var offsets = zone is null ? null : OrefZoneTable.For(zone, now - ZoneTableBefore, now + ZoneTableAfter);
        return (new Mapped(profile, offset, offsets), null);
    }

    // oref0 wants schedules in time order.
    private static List<ProfileSchedule.Slot> Sorted(JsonNode? schedule) => ProfileSchedule.Read(schedule).OrderBy(s => s.StartSeconds).ToList();

    private static double At(List<ProfileSchedule.Slot> schedule, long minuteOfDay) => ProfileSchedule.At(schedule, minuteOfDay * 60.0) ?? double.NaN;
    // oref0's profile code (bound_target_range) reads a target below 20 as mmol/L (careportal temp
    // targets of mmol sites are stored that way) and never lets the loop aim below 80 or above
    // 200 mg/dL, whatever the profile or temp target says: the same guard applies here.
    private static double BoundTarget(double mgdl)
    {
        if (double.IsNaN(mgdl))
        {
            return mgdl;
        }

        var value = mgdl < 20 ? mgdl * Properties.GlucoseUnits.OrefMmolToMgdl : mgdl;
        return Math.Min(200, Math.Max(80, value));
    }
}
