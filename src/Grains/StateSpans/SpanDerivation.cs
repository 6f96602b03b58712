using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.StateSpans;

namespace Nocturne.Grains.StateSpans;

/// <summary>
/// What a stored treatment or device status says about the site's state: at most one event per
/// category. Temporary Targets (AAPS, Trio, OpenAPS) are Overrides: they play the part Loop's
/// overrides play, and a site loops with one system at a time, so one replaces the other.
/// </summary>
public static class SpanDerivation
{
    /// <summary>The treatment event types that speak for each category (what a rebuild reads).</summary>
    public static IReadOnlyDictionary<StateSpanCategory, string[]> TreatmentTypes { get; } = new Dictionary<StateSpanCategory, string[]>
    {
        [StateSpanCategory.Profile] = ["Profile Switch"],
        [StateSpanCategory.Override] = ["Temporary Override", "Temporary Override Cancel", "Temporary Target", "Temporary Target Cancel"],
        [StateSpanCategory.TempBasal] = ["Temp Basal"],
        [StateSpanCategory.PumpMode] = ["Suspend Pump", "Resume Pump"],
        [StateSpanCategory.PumpConnectivity] = ["Pump Disconnect", "Pump Reconnect", "Site Change", "Cannula Change"],
        [StateSpanCategory.Exercise] = ["Exercise"],
    };

    /// <summary>Categories device status speaks for.</summary>
    public static IReadOnlyList<StateSpanCategory> DeviceStatusCategories { get; } = [StateSpanCategory.PumpMode, StateSpanCategory.PumpConnectivity];

    // A pump clock this far behind its device status means the phone could not reach the pump.
    private static readonly long StalePumpClockMs = (long)TimeSpan.FromMinutes(15).TotalMilliseconds;

    public static string OriginKey(Collection collection, string objectId) => (collection == Collection.DeviceStatus ? "d:" : "t:") + objectId;

    public static string SpanId(string siteId, StateSpanCategory category, string originKey) => Uuid5.Create($"{siteId}|{category}|{originKey}");

    /// <summary>The events a valid document gives (a soft-deleted one gives none).</summary>
    public static IEnumerable<(StateSpanCategory Category, StateSpanEvent Event)> Derive(string siteId, Collection collection, StoredDocument document)
    {
        if (!document.IsValid)
        {
            yield break;
        }

        var facts = collection switch
        {
            Collection.Treatments => FromTreatment(document.Doc),
            Collection.DeviceStatus => FromDeviceStatus(document.Doc, document.DateMs),
            _ => [],
        };

        var origin = OriginKey(collection, document.ObjectId);
        var source = JsonText.Of(document.Doc[collection == Collection.DeviceStatus ? "device" : "enteredBy"]) ?? JsonText.Of(document.Doc["device"]);
        foreach (var fact in facts)
        {
            var end = fact.DurationMs is { } d ? document.DateMs + d : (long?)null;
            var canonical = string.Join('|', fact.Kind, fact.State, fact.DurationMs?.ToString(CultureInfo.InvariantCulture) ?? "-", fact.Metadata.ToJsonString());
            yield return (fact.Category, new StateSpanEvent(origin, document.DateMs, fact.Kind, fact.State, end, source, fact.Metadata.ToJsonString(),
                document.ObjectId, canonical, SpanId(siteId, fact.Category, origin), Manual: false));
        }
    }

    private sealed record Fact(StateSpanCategory Category, StateSpanEventKind Kind, string State, long? DurationMs, JsonObject Metadata);

    private static List<Fact> FromTreatment(JsonObject doc)
    {
        var type = JsonText.Of(doc["eventType"]);
        var duration = DurationMs(doc);
        switch (type)
        {
            case "Profile Switch":
                var profile = JsonText.Of(doc["profile"]) ?? JsonText.Of(doc["originalProfileName"]);
                var meta = new JsonObject
                {
                    ["profile"] = profile,
                    ["percentage"] = Number(doc["percentage"]) ?? 100,
                    ["timeshift"] = Number(doc["timeshift"]) ?? 0,
                };
                // A duration of 0 (or none) switches for good.
                return [new(StateSpanCategory.Profile, StateSpanEventKind.Open, "Active", duration is > 0 ? duration : null, meta)];
            case "Temporary Override":
                var indefinite = string.Equals(JsonText.Of(doc["durationType"]), "indefinite", StringComparison.OrdinalIgnoreCase);
                if (!indefinite && duration is not > 0)
                {
                    return [Cancel(StateSpanCategory.Override)];
                }

                var range = doc["correctionRange"] as JsonArray;
                var overrideMeta = new JsonObject
                {
                    ["kind"] = "Override",
                    ["reason"] = JsonText.Of(doc["reason"]) ?? JsonText.Of(doc["notes"]),
                    ["targetBottom"] = Number(range?.ElementAtOrDefault(0)) ?? Number(doc["targetBottom"]),
                    ["targetTop"] = Number(range?.ElementAtOrDefault(1)) ?? Number(doc["targetTop"]),
                    ["insulinNeedsScaleFactor"] = Number(doc["insulinNeedsScaleFactor"]),
                    ["units"] = JsonText.Of(doc["units"]),
                };
                return [new(StateSpanCategory.Override, StateSpanEventKind.Open, "Custom", indefinite ? null : duration, overrideMeta)];
            case "Temporary Target":
                if (duration is not > 0)
                {
                    return [Cancel(StateSpanCategory.Override)];
                }

                var targetMeta = new JsonObject
                {
                    ["kind"] = "TemporaryTarget",
                    ["reason"] = JsonText.Of(doc["reason"]) ?? JsonText.Of(doc["notes"]),
                    ["targetBottom"] = Number(doc["targetBottom"]),
                    ["targetTop"] = Number(doc["targetTop"]),
                    ["units"] = JsonText.Of(doc["units"]),
                };
                return [new(StateSpanCategory.Override, StateSpanEventKind.Open, "Custom", duration, targetMeta)];
            case "Temporary Override Cancel" or "Temporary Target Cancel":
                return [Cancel(StateSpanCategory.Override)];
            case "Temp Basal":
                // A temp of zero duration cancels the running one.
                if (duration is not > 0)
                {
                    return [Cancel(StateSpanCategory.TempBasal)];
                }

                var absolute = Number(doc["absolute"]) ?? Number(doc["rate"]);
                var percent = Number(doc["percent"]);
                var basalMeta = new JsonObject
                {
                    ["rate"] = absolute,
                    ["percent"] = absolute is null ? percent : null,
                    ["temp"] = absolute is null && percent is not null ? "percent" : "absolute",
                };
                return absolute is null && percent is null ? [] : [new(StateSpanCategory.TempBasal, StateSpanEventKind.Open, "Active", duration, basalMeta)];
            case "Suspend Pump":
                return [new(StateSpanCategory.PumpMode, StateSpanEventKind.Open, "Suspended", duration is > 0 ? duration : null, [])];
            case "Resume Pump":
                return [Cancel(StateSpanCategory.PumpMode)];
            case "Pump Disconnect":
                return [new(StateSpanCategory.PumpConnectivity, StateSpanEventKind.Open, "Disconnected", duration is > 0 ? duration : null, [])];
            case "Pump Reconnect" or "Site Change" or "Cannula Change":
                // A new site means the pump is connected again from then on.
                return [new(StateSpanCategory.PumpConnectivity, StateSpanEventKind.Open, "Connected", null, new JsonObject { ["event"] = type })];
            case "Exercise" when duration is > 0:
                return [new(StateSpanCategory.Exercise, StateSpanEventKind.Open, "Active", duration, new JsonObject { ["notes"] = JsonText.Of(doc["notes"]) })];
            default:
                return [];
        }
    }

    private static Fact Cancel(StateSpanCategory category) => new(category, StateSpanEventKind.Close, "None", null, []);

    private static List<Fact> FromDeviceStatus(JsonObject doc, long dateMs)
    {
        var facts = new List<Fact>();
        if (PumpMode(doc) is { } mode)
        {
            facts.Add(new(StateSpanCategory.PumpMode, StateSpanEventKind.Sample, mode, null, []));
        }

        if (doc["pump"] is JsonObject pump)
        {
            var stated = Mapped(JsonText.Of(pump["connectivity"]) ?? JsonText.Of(pump["connection"]), StateSpanCategory.PumpConnectivity);
            var clockMs = DocumentTime.TryParse(JsonText.Of(pump["clock"]), out var clock) ? clock.ToUnixTimeMilliseconds() : (long?)null;
            var state = stated ?? (clockMs is { } c && dateMs - c > StalePumpClockMs ? "Disconnected" : "Connected");
            facts.Add(new(StateSpanCategory.PumpConnectivity, StateSpanEventKind.Sample, state, null, []));
        }

        return facts;
    }

    // Suspension first (it overrides any mode the loop reports), then a mode the uploader states,
    // then an enacted loop decision (closed loop). A status without any of them says nothing.
    private static string? PumpMode(JsonObject doc)
    {
        var pump = doc["pump"] as JsonObject;
        var status = pump?["status"] as JsonObject;
        if (IsTrue(pump?["suspended"]) || IsTrue(status?["suspended"])
            || (JsonText.Of(status?["status"]) is { } s && s.Contains("suspend", StringComparison.OrdinalIgnoreCase)))
        {
            return "Suspended";
        }

        var stated = JsonText.Of(pump?["mode"]) ?? JsonText.Of(doc["loop"]?["mode"]) ?? JsonText.Of(doc["pumpMode"]) ?? JsonText.Of(doc["mode"]);
        if (Mapped(stated, StateSpanCategory.PumpMode) is { } mode)
        {
            return mode;
        }

        return doc["openaps"]?["enacted"] is JsonObject || doc["loop"]?["enacted"] is JsonObject ? "Automatic" : null;
    }

    // Vendors' spellings of the states (CareLink "AUTO_BASAL", Tandem "Control-IQ", "open loop").
    private static string? Mapped(string? text, StateSpanCategory category)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var key = new string(text.Where(char.IsLetter).ToArray()).ToLowerInvariant();
        var alias = key switch
        {
            "auto" or "autobasal" or "automode" or "closedloop" or "closed" or "controliq" or "smartguard" => "Automatic",
            "open" or "openloop" => "Manual",
            "safebasal" => "Limited",
            "bluetoothoff" or "btoff" => "BluetoothOff",
            _ => key,
        };
        return StateSpanCategories.State(category, alias);
    }

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static double? Number(JsonNode? node) => node is not null && DocumentTime.TryNumber(node, out var v) && double.IsFinite(v) ? v : null;

    private static long? DurationMs(JsonObject doc)
    {
        if (Number(doc["durationInMilliseconds"]) is { } ms)
        {
            return (long)ms;
        }

        return Number(doc["duration"]) is { } minutes ? (long)Math.Round(minutes * 60_000) : null;
    }
}
