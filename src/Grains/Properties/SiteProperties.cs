using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;

namespace Nocturne.Grains.Properties;

/// <summary>
/// The plugin properties of /api/v2/properties, computed from the live state only. Shapes follow
/// the reference's plugins (bgnow, delta, direction, buckets, upbat, cage/sage/iage/bage, basal,
/// pump, loop, openaps, runtimestate). iob and cob need oref and the treatment history: the patient grain adds them.
/// </summary>
public static class SiteProperties
{
    private const long FiveMinutes = 5 * 60_000;

    public static readonly string[] Names = ["bgnow", "delta", "direction", "buckets", "rawbg", "upbat", "cage", "sage", "iage", "bage", "basal", "pump", "loop", "openaps", "runtimestate"];

    public static JsonObject Compute(IReadOnlyCollection<string>? wanted, EntryWindow entries, LiveState state, string units, DateTimeOffset now)
    {
        var result = new JsonObject();
        var nowMs = now.ToUnixTimeMilliseconds();
        var sgvs = entries.Since(nowMs - (30 * 60_000), "sgv").Where(e => Mgdl(e) is > 0).ToList();
        var buckets = Buckets(sgvs, units);
        bool Want(string name) => wanted is null || wanted.Contains(name);

        if (Want("bgnow") && buckets.Count > 0 && buckets[0] is { } now0)
        {
            result["bgnow"] = now0.DeepClone();
        }

        if (Want("buckets"))
        {
            result["buckets"] = new JsonArray(buckets.Select(b => b?.DeepClone()).ToArray());
        }

        if (Want("delta"))
        {
            result["delta"] = Delta(buckets, units);
        }

        if (Want("direction") && sgvs.Count > 0)
        {
            result["direction"] = Direction(JsonText.Of(sgvs[0].Doc["direction"]));
        }

        if (Want("rawbg") && sgvs.Count > 0 && entries.Since(nowMs - (int)EntryWindow.Span.TotalMilliseconds, "cal").FirstOrDefault() is { } cal
            && RawBg(sgvs[0], cal, units) is { } raw)
        {
            result["rawbg"] = raw;
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
                result[name] = Age(state, types, unit, nowMs);
            }
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

    private static double? Mgdl(StoredDocument entry) => DocumentTime.TryNumber(entry.Doc["sgv"], out var v) ? v : null;

    private static JsonValue Scaled(double mgdl, string units) =>
        units == "mmol" ? JsonValue.Create(Math.Round(mgdl / 18.0182, 1)) : JsonValue.Create(Math.Round(mgdl));

    // Four 5-minute buckets ending at the newest reading, newest first; empty buckets are null.
    private static List<JsonObject?> Buckets(List<StoredDocument> sgvs, string units)
    {
        if (sgvs.Count == 0)
        {
            return [];
        }

        var newest = sgvs[0].DateMs;
        var buckets = new List<JsonObject?>();
        for (var index = 0; index < 4; index++)
        {
            var to = newest - (index * FiveMinutes);
            var from = to - FiveMinutes;
            var inBucket = sgvs.Where(s => s.DateMs > from && s.DateMs <= to).ToList();
            if (inBucket.Count == 0)
            {
                buckets.Add(null);
                continue;
            }

            var mean = inBucket.Average(s => Mgdl(s)!.Value);
            buckets.Add(new JsonObject
            {
                ["mean"] = Math.Round(mean, 1),
                ["last"] = Mgdl(inBucket[0]),
                ["mills"] = inBucket[0].DateMs,
                ["index"] = index,
                ["fromMills"] = from,
                ["toMills"] = to,
                ["sgvs"] = new JsonArray(inBucket.Select(s => (JsonNode)new JsonObject
                {
                    ["_id"] = s.ObjectId,
                    ["mgdl"] = Mgdl(s),
                    ["mills"] = s.DateMs,
                    ["device"] = s.Doc["device"]?.DeepClone(),
                    ["direction"] = s.Doc["direction"]?.DeepClone(),
                    ["type"] = "sgv",
                    ["scaled"] = Scaled(Mgdl(s)!.Value, units),
                }).ToArray()),
            });
        }

        return buckets;
    }

    private static JsonObject? Delta(List<JsonObject?> buckets, string units)
    {
        if (buckets.Count == 0 || buckets[0] is not { } recent)
        {
            return null;
        }

        var previous = buckets.Skip(1).FirstOrDefault(b => b is not null);
        if (previous is null)
        {
            return null;
        }

        var recentMean = (double)recent["mean"]!;
        var previousMean = (double)previous["mean"]!;
        var elapsedMins = ((long)recent["mills"]! - (long)previous["mills"]!) / 60_000.0;
        var interpolated = elapsedMins > 9;
        var mgdl = interpolated ? (recentMean - previousMean) / elapsedMins * 5 : recentMean - previousMean;
        var rounded = Math.Round(mgdl);
        var scaled = units == "mmol" ? Math.Round(mgdl / 18.0182, 1) : rounded;
        return new JsonObject
        {
            ["absolute"] = Math.Round(recentMean - previousMean, 1),
            ["elapsedMins"] = Math.Round(elapsedMins, 2),
            ["interpolated"] = interpolated,
            ["mean5MinsAgo"] = interpolated ? Math.Round(recentMean - mgdl, 1) : previousMean,
            ["times"] = new JsonObject { ["recent"] = (long)recent["mills"]!, ["previous"] = (long)previous["mills"]! },
            ["mgdl"] = rounded,
            ["scaled"] = scaled,
            ["display"] = (scaled >= 0 ? "+" : "") + scaled.ToString(CultureInfo.InvariantCulture),
            ["previous"] = previous.DeepClone(),
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

    private static JsonObject Age(LiveState state, string[] eventTypes, string unit, long nowMs)
    {
        var newest = eventTypes.Select(t => state.NewestByEventType.GetValueOrDefault(t)).Where(t => t is not null).MaxBy(t => t!.DateMs);
        if (newest is null)
        {
            return new JsonObject { ["found"] = false, ["display"] = "n/a" };
        }

        var hours = (int)((nowMs - newest.DateMs) / 3_600_000);
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

    // The scheduled basal of the current profile at the profile's local time.
    private static JsonObject? Basal(LiveState state, DateTimeOffset now)
    {
        if (ProfileSchedule.Active(state.Profile?.Doc) is not var (name, active))
        {
            return null;
        }

        var local = ProfileSchedule.Zone(active) is { } zone ? TimeZoneInfo.ConvertTime(now, zone) : now;
        if (ProfileSchedule.At(ProfileSchedule.Read(active["basal"]), local.TimeOfDay.TotalSeconds) is not { } basal)
        {
            return null;
        }

        return new JsonObject
        {
            ["display"] = $"B: {basal.ToString("0.00", CultureInfo.InvariantCulture)}U",
            ["current"] = new JsonObject { ["basal"] = basal, ["totalbasal"] = basal, ["profile"] = name },
        };
    }
}
