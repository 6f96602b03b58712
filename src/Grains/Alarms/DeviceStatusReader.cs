using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// Reads what the alarms need from one device status, in the shapes AndroidAPS/OpenAPS/Trio
/// (<c>openaps</c>, <c>pump</c>, <c>uploader</c>) and Loop (<c>loop</c>, <c>pump</c>, <c>uploader</c>)
/// upload, and folds it into the alarm state: newer facts replace older ones, a late upload of an
/// older status changes nothing.
/// </summary>
public static class DeviceStatusReader
{
    // Uploader samples older than this are not looked at (the reference's upbat window).
    public const long UploaderWindowMs = 30 * 60_000;

    public static void Apply(SiteAlarmState state, JsonObject status)
    {
        if ((Time(status["mills"]) ?? Time(status["created_at"]) ?? Time(status["date"])) is not { } mills)
        {
            return;
        }

        state.LastDeviceStatusMs = Math.Max(state.LastDeviceStatusMs ?? long.MinValue, mills);
        if (status["pump"] is JsonObject pump)
        {
            ApplyPump(state, pump, mills);
        }

        if (status["openaps"] is JsonObject openaps)
        {
            ApplyOpenAps(state, openaps);
        }

        if (status["loop"] is JsonObject loop)
        {
            ApplyLoop(state, loop);
        }

        var uploader = status["uploader"] as JsonObject;
        var battery = Number(uploader?["battery"]) ?? Number(status["uploaderBattery"]);
        var voltage = Number(uploader?["batteryVoltage"]);
        if (battery is not null || voltage is not null)
        {
            var device = (string?)(status["device"] as JsonValue) is { Length: > 0 } name ? name : "uploader";
            state.Uploaders.Add(new UploaderBatterySample
            {
                Device = device.StartsWith("openaps://", StringComparison.Ordinal) ? device["openaps://".Length..] : device,
                Mills = mills,
                Battery = battery,
                Voltage = voltage is > 1000 ? voltage / 1000 : voltage,
                Charging = status["isCharging"] is JsonValue charging && charging.TryGetValue<bool>(out var c) && c,
            });
            var newest = state.Uploaders.Max(u => u.Mills);
            state.Uploaders.RemoveAll(u => u.Mills < newest - UploaderWindowMs);
        }
    }

    private static void ApplyPump(SiteAlarmState state, JsonObject pump, long mills)
    {
        var battery = pump["battery"] as JsonObject;
        var snapshot = new PumpSnapshot
        {
            Mills = mills,
            ClockMs = Time(pump["clock"]),
            Reservoir = Number(pump["reservoir"]),
            BatteryPercent = Number(battery?["percent"]),
            BatteryVoltage = Number(battery?["voltage"]),
            // OpenAPS and AndroidAPS report pump.status.suspended, Loop pump.suspended.
            Suspended = Truthy(pump["status"]?["suspended"]) || Truthy(pump["suspended"]),
        };
        if (state.Pump is null || snapshot.OrderMs >= state.Pump.OrderMs)
        {
            state.Pump = snapshot;
        }
    }

    private static void ApplyOpenAps(SiteAlarmState state, JsonObject openaps)
    {
        var suggested = openaps["suggested"] as JsonObject;
        var enacted = openaps["enacted"] as JsonObject;
        var suggestedMs = suggested is null ? null : Time(suggested["mills"]) ?? Time(suggested["timestamp"]);
        var received = enacted is not null && (Truthy(enacted["received"]) || Truthy(enacted["recieved"]));
        var enactedMs = received && Time(enacted!["timestamp"]) is not null ? Time(enacted["mills"]) ?? Time(enacted["timestamp"]) : null;
        foreach (var loopMs in new[] { suggestedMs, enactedMs })
        {
            if (loopMs is { } ms && ms > (state.OpenApsLoopMs ?? long.MinValue))
            {
                state.OpenApsLoopMs = ms;
            }
        }

        // The reference's lastPredBGs: the newest of the suggestion's and the received enactment's.
        foreach (var (source, ms) in new[] { (suggested, suggestedMs), (enactedMs is null ? null : enacted, enactedMs) })
        {
            if (source?["predBGs"] is JsonObject curves && ms is { } at && at >= (state.Prediction?.Mills ?? long.MinValue))
            {
                var values = OpenApsCurves(curves);
                if (values.Count > 0)
                {
                    state.Prediction = new LoopPrediction { Source = "OpenAPS", Mills = at, StartMs = at, Values = values };
                }
            }
        }
    }

    // The lowest point of the curves a loop acts on at each step. ZT ("zero temp") is left out: it is
    // the hypothetical of suspending insulin now, a guard oref0 uses, not a forecast; with carbs on
    // board the IOB curve (which ignores them) is left out too.
    private static List<double> OpenApsCurves(JsonObject curves)
    {
        var names = curves["COB"] is JsonArray { Count: > 0 } ? new[] { "COB", "aCOB", "UAM" } : ["IOB", "UAM"];
        var arrays = names.Select(n => curves[n] as JsonArray).OfType<JsonArray>().Where(a => a.Count > 0).ToList();
        var length = arrays.Count == 0 ? 0 : arrays.Max(a => a.Count);
        var result = new List<double>();
        for (var i = 0; i < length; i++)
        {
            var atStep = arrays.Where(a => i < a.Count).Select(a => Number(a[i])).OfType<double>().ToList();
            if (atStep.Count == 0)
            {
                break;
            }

            result.Add(atStep.Min());
        }

        return result;
    }

    private static void ApplyLoop(SiteAlarmState state, JsonObject loop)
    {
        if (Time(loop["timestamp"]) is not { } at)
        {
            return;
        }

        state.LoopSeenMs = Math.Max(state.LoopSeenMs ?? long.MinValue, at);
        if (!Failed(loop["failureReason"]))
        {
            state.LoopOkMs = Math.Max(state.LoopOkMs ?? long.MinValue, at);
        }

        if (loop["predicted"] is JsonObject predicted && predicted["values"] is JsonArray values && Time(predicted["startDate"]) is { } start
            && at >= (state.Prediction?.Mills ?? long.MinValue))
        {
            var mgdl = values.Select(Number).TakeWhile(v => v is not null).Select(v => v!.Value).ToList();
            if (mgdl.Count > 0)
            {
                state.Prediction = new LoopPrediction { Source = "Loop", Mills = at, StartMs = start, Values = mgdl };
            }
        }
    }

    // JavaScript truthiness of a failure reason: absent, null, "" and false are no failure.
    private static bool Failed(JsonNode? reason) => reason switch
    {
        null => false,
        JsonValue v when v.TryGetValue<string>(out var text) => text.Length > 0,
        JsonValue v when v.TryGetValue<bool>(out var flag) => flag,
        _ => true,
    };

    private static bool Truthy(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var b) && b;

    private static double? Number(JsonNode? node) => DocumentTime.TryNumber(node, out var n) && double.IsFinite(n) ? n : null;

    private static long? Time(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text)
            ? DocumentTime.TryParse(text, out var parsed) ? parsed.ToUnixTimeMilliseconds() : null
            : Number(node) is { } ms && ms > 0 ? (long)ms : null;
}
