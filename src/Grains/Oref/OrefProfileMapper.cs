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
    public static (Mapped? Mapped, string? Problem) Map(StoredDocument? document, DateTimeOffset now, OrefTempTarget? activeTempTarget)
    {
        if (document?.Doc is not { } doc || doc["store"] is not JsonObject { Count: > 0 })
        {
            return (null, "the site has no profile");
        }

        if (ProfileSchedule.Active(doc) is not var (_, active))
        {
            return (null, $"the profile's default '{(string?)(doc["defaultProfile"] as JsonValue)}' is not in its store");
        }

        var zone = ProfileSchedule.Zone(active);
        var offset = zone is not null ? (int)zone.GetUtcOffset(now).TotalMinutes : 0;
        var units = (string?)(active["units"] as JsonValue) ?? (string?)(doc["units"] as JsonValue) ?? "mg/dl";
        var toMgdl = Properties.GlucoseUnits.OrefToMgdlFactor(units);
        var minuteOfDay = (now.ToUnixTimeMilliseconds() / 60_000 + offset) % 1440;
        if (minuteOfDay < 0)
        {
            minuteOfDay += 1440;
        }

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

        var maxDaily = basal.Max(b => b.Value);
        var currentBasal = At(basal, minuteOfDay);
        // A store may carry the pump's maximum temp rate; without one, the daily and current
        // safety multipliers decide (Nightscout has no such setting of its own).
        var maxBasal = 3 * maxDaily;
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

        var profile = new OrefProfile
        {
            Dia = dia,
            Curve = "rapid-acting",
            CurrentBasal = currentBasal,
            BasalProfile = basal.Select((b, i) => new OrefBasalEntry(i, b.StartSeconds / 60, b.Value)).ToList(),
            MaxDailyBasal = maxDaily,
            MaxBasal = maxBasal,
            MaxDailySafetyMultiplier = 3,
            CurrentBasalSafetyMultiplier = 4,
            MinBg = double.IsNaN(minBg) ? null : Math.Round(minBg),
            MaxBg = double.IsNaN(maxBg) ? null : Math.Round(maxBg),
            TempTargetSet = activeTempTarget is not null,
            HalfBasalExerciseTarget = 160,
            ExerciseMode = false,
            HighTempTargetRaisesSensitivity = false,
            LowTempTargetLowersSensitivity = false,
            SensitivityRaisesTarget = true,
            ResistanceLowersTarget = false,
            Sens = At(sens, minuteOfDay) * toMgdl,
            IsfProfile = new OrefIsfProfile(sens.Select(s => new OrefIsfEntry(s.StartSeconds / 60, s.Value * toMgdl)).ToList()),
            CarbRatio = At(carbRatio, minuteOfDay),
            Min5mCarbImpact = 8,
            MaxCob = 120,
            AutosensMin = 0.7,
            AutosensMax = 1.2,
            RewindResetsAutosens = true,
            MaxIob = 0,
            OutUnits = toMgdl > 1 ? "mmol/L" : "mg/dL",
            NoisyCgmTargetMultiplier = 1.3,
            SkipNeutralTemps = false,
            CarbsReqThreshold = 1,
            RemainingCarbsCap = 90,
            RemainingCarbsFraction = 1,
            MaxDeltaBgThreshold = 0.2,
            EnableUam = true,
            EnableSmbAlways = false,
            EnableSmbWithCob = false,
            EnableSmbAfterCarbs = false,
            EnableSmbWithTempTarget = false,
            EnableSmbHighBg = false,
            EnableSmbHighBgTarget = 110,
            AllowSmbWithHighTempTarget = false,
            A52RiskEnable = false,
            MaxSmbBasalMinutes = 30,
            MaxUamSmbBasalMinutes = 30,
            SmbInterval = 3,
            BolusIncrement = 0.1,
        };
        var offsets = zone is null ? null : OrefZoneTable.For(zone, now - ZoneTableBefore, now + ZoneTableAfter);
        return (new Mapped(profile, offset, offsets), null);
    }

    // oref0 wants schedules in time order.
    private static List<ProfileSchedule.Slot> Sorted(JsonNode? schedule) => ProfileSchedule.Read(schedule).OrderBy(s => s.StartSeconds).ToList();

    private static double At(List<ProfileSchedule.Slot> schedule, long minuteOfDay) => ProfileSchedule.At(schedule, minuteOfDay * 60.0) ?? double.NaN;
}
