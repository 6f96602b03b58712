using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces;

namespace Nocturne.Grains.Properties;

/// <summary>
/// The plugin properties of /api/v2/properties, computed from the live state only. Shapes follow
/// the reference's plugins (bgnow, delta, direction, buckets, upbat, cage/sage/iage/bage, basal,
/// pump, loop, openaps, runtimestate). iob and cob need oref and the treatment history: the patient grain adds them.
/// </summary>
public static class SiteProperties
{
    private const long FiveMinutes = 5 * 60_000;

    public static readonly string[] Names = ["bgnow", "delta", "direction", "buckets", "ar2", "rawbg", "upbat", "cage", "sage", "iage", "bage", "basal", "pump", "loop", "openaps", "runtimestate"];

    /// <param name="lifetime">Told when each part that reads the clock can next differ.</param>
    public static JsonObject Compute(IReadOnlyCollection<string>? wanted, EntryWindow entries, LiveState state, SiteSettings settings, DateTimeOffset now, AnswerLifetime lifetime)
    {
        var units = settings.Units;
        var result = new JsonObject();
        var nowMs = now.ToUnixTimeMilliseconds();
        // The readings the reference's buckets take, however old the newest is: newest first, until one falls
        // in no bucket (the buckets stop before it). Only those few are read back from the window.
        var sgvs = BucketReadings(entries.Since(nowMs - (long)EntryWindow.Span.TotalMilliseconds, "sgv").Where(e => e.DateMs <= nowMs && Mgdl(e) is > 0));
        ReadingsChange(entries, sgvs, nowMs, lifetime);
        var buckets = Buckets(sgvs, units);
        bool Want(string name) => wanted is null || wanted.Contains(name);

        if (Want("bgnow"))
        {
            result["bgnow"] = buckets.FirstOrDefault(IsFilled) is { } recent ? WithoutBucketFields(recent) : new JsonObject();
        }

        if (Want("buckets"))
        {
            result["buckets"] = new JsonArray(buckets.Select(b => (JsonNode)b.DeepClone()).ToArray());
        }

        var delta = Delta(buckets, units);
        if (Want("delta"))
        {
            result["delta"] = delta;
        }

        if (Want("ar2"))
        {
            result["ar2"] = Ar2Forecast.Compute(buckets.FirstOrDefault(IsFilled), delta, settings, nowMs);
        }

        if (Want("direction") && sgvs.Count > 0)
        {
            result["direction"] = Direction(JsonText.Of(sgvs[0].Doc["direction"]));
        }

        if (Want("rawbg") && sgvs.Count > 0 && entries.Since(nowMs - (int)EntryWindow.Span.TotalMilliseconds, "cal").FirstOrDefault() is { } cal)
        {
            // A calibration counts while it is dated within the last 24 hours.
            lifetime.EndsBy(cal.DateMs + (long)EntryWindow.Span.TotalMilliseconds + 1);
            if (RawBg(sgvs[0], cal, units) is { } raw)
            {
                result["rawbg"] = raw;
            }
        }

        if (Want("upbat") && UploaderBattery(state) is { } battery)
        {
            result["upbat"] = battery;
        }

        foreach (var (name, types, unit) in new (string, string[], string)[]
        {
            ("cage", ["Site Change"], "h"),
            ("sage", ["Sensor Start", "Sensor Change"], "h"),
            ("iage", ["Insulin Change"], "h"),
            ("bage", ["Pump Battery Change"], "d"),
        })
        {
            if (Want(name))
            {
                result[name] = Age(state, types, unit, nowMs, lifetime);
            }
        }

        if (Want("basal") && state.Profile is not null)
        {
            lifetime.MovesWithTheClock();
        }

        if (Want("basal") && Basal(state, now) is { } basal)
        {
            result["basal"] = basal;
        }

        foreach (var name in new[] { "pump", "loop", "openaps" })
        {
            if (Want(name) && state.DeviceStatus.FirstOrDefault(d => d.Doc[name] is JsonObject) is { } status)
            {
                result[name] = new JsonObject { ["data"] = status.Doc[name]!.DeepClone(), ["device"] = status.Doc["device"]?.DeepClone(), ["mills"] = status.DateMs };
            }
        }

        if (Want("runtimestate"))
        {
            result["runtimestate"] = new JsonObject { ["state"] = "loaded" };
        }

        return result;
    }

    // The readings the buckets take change when one dated in the future becomes past, or when the
    // oldest of them leaves the last 24 hours (the rest are older still, or were never taken).
    private static void ReadingsChange(EntryWindow entries, List<StoredDocument> sgvs, long nowMs, AnswerLifetime lifetime)
    {
        foreach (var future in entries.Since(nowMs + 1, "sgv"))
        {
            lifetime.EndsBy(future.DateMs);
        }

        if (sgvs.Count > 0)
        {
            lifetime.EndsBy(sgvs.Min(s => s.DateMs) + (long)EntryWindow.Span.TotalMilliseconds + 1);
        }
    }

    // The buckets span from 17.5 minutes before the newest reading to 2.5 minutes after it, and are
    // filled newest first until a reading falls outside: what lies past that reading is never looked at.
    private static List<StoredDocument> BucketReadings(IEnumerable<StoredDocument> newestFirst)
    {
        var readings = new List<StoredDocument>();
        foreach (var reading in newestFirst)
        {
            readings.Add(reading);
            if (reading.DateMs < readings[0].DateMs - (FiveMinutes / 2) - (3 * FiveMinutes))
            {
                break;
            }
        }

        return readings;
    }

    private static double? Mgdl(StoredDocument entry) => DocumentTime.TryNumber(entry.Doc["sgv"], out var v) ? v : null;

    private static JsonValue Scaled(double mgdl, string units) => JsonValue.Create(GlucoseUnits.Scale(mgdl, units));

    private static readonly string[] BucketFields = ["index", "fromMills", "toMills"];

    /// <summary>
    /// The reference's four 5-minute buckets, newest first, centred on the newest reading however
    /// old it is (from 2.5 minutes before it): readings are taken newest first until one falls in
    /// no bucket. An empty bucket is <c>isEmpty</c>; errors (below 39) do not count in the mean.
    /// </summary>
    private static List<JsonObject> Buckets(List<StoredDocument> sgvs, string units)
    {
        if (sgvs.Count == 0)
        {
            return [];
        }

        var last = sgvs[0].DateMs;
        var ranges = Enumerable.Range(0, 4).Select(i => (From: last - (FiveMinutes / 2) - (i * FiveMinutes), To: last - (FiveMinutes / 2) - (i * FiveMinutes) + FiveMinutes)).ToList();
        var members = ranges.Select(_ => new List<StoredDocument>()).ToList();
        foreach (var sgv in sgvs)
        {
            var index = ranges.FindIndex(r => sgv.DateMs >= r.From && sgv.DateMs <= r.To);
            if (index < 0)
            {
                break;
            }

            members[index].Add(sgv);
        }

        return ranges.Select((range, index) =>
        {
            var bucket = new JsonObject();
            var inBucket = members[index];
            var valid = inBucket.Where(s => Mgdl(s) > 39).ToList();
            if (valid.Count > 0)
            {
                bucket["mean"] = valid.Average(s => Mgdl(s)!.Value);
                var newest = valid.MaxBy(s => s.DateMs)!;
                bucket["last"] = Mgdl(newest);
                bucket["mills"] = newest.DateMs;
            }

            bucket["index"] = index;
            bucket["fromMills"] = range.From;
            bucket["toMills"] = range.To;
            bucket["sgvs"] = new JsonArray(inBucket.Select(s => (JsonNode)new JsonObject
            {
                ["_id"] = s.ObjectId,
                ["mgdl"] = Mgdl(s),
                ["mills"] = s.DateMs,
                ["device"] = s.Doc["device"]?.DeepClone(),
                ["direction"] = s.Doc["direction"]?.DeepClone(),
                ["type"] = "sgv",
                ["scaled"] = Scaled(Mgdl(s)!.Value, units),
            }).ToArray());
            if (inBucket.Count == 0)
            {
                bucket["isEmpty"] = true;
            }

            return bucket;
        }).ToList();
    }

    private static JsonObject WithoutBucketFields(JsonObject bucket)
    {
        var copy = (JsonObject)bucket.DeepClone();
        foreach (var field in BucketFields)
        {
            copy.Remove(field);
        }

        return copy;
    }

    private static bool IsFilled(JsonObject bucket) => bucket["isEmpty"] is null && bucket["mean"] is not null;

    // The reference's calcDelta: per five minutes when the buckets are more than nine minutes apart.
    private static JsonObject? Delta(List<JsonObject> buckets, string units)
    {
        if (buckets.FirstOrDefault(IsFilled) is not { } recent)
        {
            return null;
        }

        var recentMills = (long)recent["mills"]!;
        if (buckets.FirstOrDefault(b => IsFilled(b) && (long)b["mills"]! < recentMills) is not { } previous)
        {
            return null;
        }

        var recentMean = (double)recent["mean"]!;
        var previousMean = (double)previous["mean"]!;
        var absolute = recentMean - previousMean;
        var elapsedMins = (recentMills - (long)previous["mills"]!) / 60_000.0;
        var interpolated = elapsedMins > 9;
        var mean5MinsAgo = interpolated ? recentMean - (absolute / elapsedMins * 5) : recentMean - absolute;
        var mgdl = GlucoseUnits.JsRound(recentMean - mean5MinsAgo);
        var scaled = units == "mmol" ? GlucoseUnits.JsRound((GlucoseUnits.Scale(recentMean, units) - GlucoseUnits.Scale(mean5MinsAgo, units)) * 10) / 10 : mgdl;
        return new JsonObject
        {
            ["absolute"] = absolute,
            ["elapsedMins"] = elapsedMins,
            ["interpolated"] = interpolated,
            ["mean5MinsAgo"] = mean5MinsAgo,
            ["times"] = new JsonObject { ["recent"] = recentMills, ["previous"] = (long)previous["mills"]! },
            ["mgdl"] = mgdl,
            ["scaled"] = scaled,
            ["display"] = (scaled >= 0 ? "+" : "") + scaled.ToString(CultureInfo.InvariantCulture),
            ["previous"] = WithoutBucketFields(previous),
        };
    }

    // The reference's raw BG: the unfiltered sensor signal through the newest calibration, corrected by
    // the filtered/sgv ratio when there is one.
    private static JsonObject? RawBg(StoredDocument sgv, StoredDocument cal, string units)
    {
        if (!DocumentTime.TryNumber(sgv.Doc["unfiltered"], out var unfiltered) || !DocumentTime.TryNumber(cal.Doc["slope"], out var slope)
            || !DocumentTime.TryNumber(cal.Doc["scale"], out var scale) || !DocumentTime.TryNumber(cal.Doc["intercept"], out var intercept))
        {
            return null;
        }

        DocumentTime.TryNumber(sgv.Doc["filtered"], out var filtered);
        var value = Mgdl(sgv) ?? 0;
        double raw;
        if (slope == 0 || unfiltered == 0 || scale == 0)
        {
            raw = 0;
        }
        else if (filtered == 0 || value < 40)
        {
            raw = scale * (unfiltered - intercept) / slope;
        }
        else
        {
            var ratio = scale * (filtered - intercept) / slope / value;
            raw = scale * (unfiltered - intercept) / slope / ratio;
        }

        var noise = DocumentTime.TryNumber(sgv.Doc["noise"], out var n) ? (int)n : 0;
        var label = noise switch { 1 => "Clean", 2 => "Light", 3 => "Medium", 4 => "Heavy", _ => "Unknown" };
        return new JsonObject
        {
            ["mgdl"] = Math.Round(raw),
            ["noiseLabel"] = label,
            ["display"] = Scaled(Math.Round(raw), units).ToJsonString(),
        };
    }

    private static JsonObject Direction(string? value)
    {
        var (label, entity) = value switch
        {
            "DoubleUp" => ("⇈", "&#8648;"),
            "SingleUp" => ("↑", "&#8593;"),
            "FortyFiveUp" => ("↗", "&#8599;"),
            "Flat" => ("→", "&#8594;"),
            "FortyFiveDown" => ("↘", "&#8600;"),
            "SingleDown" => ("↓", "&#8595;"),
            "DoubleDown" => ("⇊", "&#8650;"),
            "NOT COMPUTABLE" => ("-", "&#45;"),
            "RATE OUT OF RANGE" => ("⇕", "&#8661;"),
            _ => ("⇼", "&#8700;"),
        };
        return new JsonObject { ["display"] = null, ["value"] = value ?? "NONE", ["label"] = label, ["entity"] = entity };
    }

    private static JsonObject? UploaderBattery(LiveState state)
    {
        foreach (var status in state.DeviceStatus)
        {
            var node = status.Doc["uploader"]?["battery"] ?? status.Doc["uploaderBattery"];
            if (DocumentTime.TryNumber(node, out var level))
            {
                var status0 = level < 20 ? "urgent" : level < 30 ? "warn" : "ok";
                var device = JsonText.Of(status.Doc["device"]) ?? "uploader";
                var reading = new JsonObject { ["level"] = level, ["display"] = $"{level.ToString(CultureInfo.InvariantCulture)}%", ["status"] = status0, ["mills"] = status.DateMs };
                return new JsonObject
                {
                    ["display"] = $"{level.ToString(CultureInfo.InvariantCulture)}%",
                    ["level"] = level,
                    ["status"] = status0,
                    ["devices"] = new JsonObject { [device] = reading },
                };
            }
        }

        return null;
    }

    private static JsonObject Age(LiveState state, string[] eventTypes, string unit, long nowMs, AnswerLifetime lifetime)
    {
        var newest = eventTypes.Select(t => state.NewestByEventType.GetValueOrDefault(t)).Where(t => t is not null).MaxBy(t => t!.DateMs);
        if (newest is null)
        {
            return new JsonObject { ["found"] = false, ["display"] = "n/a" };
        }

        var hours = (int)((nowMs - newest.DateMs) / 3_600_000);
        // The whole hours change at the next hour since the treatment (one dated ahead: at any moment).
        lifetime.EndsBy(nowMs < newest.DateMs ? nowMs + 1 : newest.DateMs + ((hours + 1) * 3_600_000L));
        var display = unit == "d" ? $"{hours / 24}d{hours % 24}h" : $"{hours}h";
        return new JsonObject
        {
            ["found"] = true,
            ["age"] = hours,
            ["treatmentDate"] = newest.DateMs,
            ["display"] = display,
            ["notes"] = newest.Doc["notes"]?.DeepClone(),
        };
    }

    // The reference's basal property: the profile's scheduled basal at its local time, replaced by
    // a running temp basal (absolute, or percent of the scheduled rate) plus a running combo
    // bolus's extended part; "T: " and "C: " mark them in the display.
    private static JsonObject? Basal(LiveState state, DateTimeOffset now)
    {
        if (ProfileSchedule.Active(state.Profile?.Doc) is not var (_, active))
        {
            return null;
        }

        if (PatientClock.Of(active).ScheduledAt(ProfileSchedule.Read(active["basal"]), now) is not { } basal)
        {
            return null;
        }

        var nowMs = now.ToUnixTimeMilliseconds();
        var temp = Running(state, "Temp Basal", nowMs, inclusive: true);
        var combo = Running(state, "Combo Bolus", nowMs, inclusive: false);
        var tempBasal = basal;
        if (temp is not null && DocumentTime.TryNumber(temp.Doc["absolute"], out var absolute) && DocumentTime.TryNumber(temp.Doc["duration"], out var duration) && duration > 0)
        {
            tempBasal = absolute;
        }
        else if (temp is not null && DocumentTime.TryNumber(temp.Doc["percent"], out var percent) && percent != 0)
        {
            tempBasal = basal * (100 + percent) / 100;
        }

        var comboBasal = combo is not null && DocumentTime.TryNumber(combo.Doc["relative"], out var relative) ? relative : 0;
        var total = tempBasal + comboBasal;
        var mark = (temp is not null ? "T" : "") + (combo is not null ? "C" : "");
        return new JsonObject
        {
            ["display"] = (mark.Length > 0 ? mark + ": " : "") + total.ToString("0.000", CultureInfo.InvariantCulture) + "U",
            ["current"] = new JsonObject
            {
                ["basal"] = basal,
                ["treatment"] = temp is null ? null : WithSpan(temp),
                ["combobolustreatment"] = combo is null ? null : WithSpan(combo),
                ["tempbasal"] = tempBasal,
                ["combobolusbasal"] = comboBasal,
                ["totalbasal"] = total,
            },
        };
    }

    // The newest treatment of a type when it runs at this moment (from its time for its duration in minutes).
    private static StoredDocument? Running(LiveState state, string eventType, long nowMs, bool inclusive)
    {
        if (state.NewestByEventType.GetValueOrDefault(eventType) is not { } treatment)
        {
            return null;
        }

        var end = treatment.DateMs + (long)((DocumentTime.TryNumber(treatment.Doc["duration"], out var minutes) ? minutes : 0) * 60_000);
        return inclusive
            ? nowMs >= treatment.DateMs && nowMs <= end ? treatment : null
            : nowMs > treatment.DateMs && nowMs < end ? treatment : null;
    }

    private static JsonObject WithSpan(StoredDocument treatment)
    {
        var json = treatment.ToV1Json();
        json["mills"] = treatment.DateMs;
        json["endmills"] = treatment.DateMs + (long)((DocumentTime.TryNumber(treatment.Doc["duration"], out var minutes) ? minutes : 0) * 60_000);
        return json;
    }
}
