using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Reading a Nightscout profile document: its active store (defaultProfile, else the first),
/// the store's time zone, and its time-of-day schedules (basal, sens, carbratio, targets).
/// </summary>
public static class ProfileSchedule
{
    /// <summary>One schedule slot: from <see cref="StartSeconds"/> after local midnight.</summary>
    public sealed record Slot(double StartSeconds, double Value);

    /// <summary>The active store and its name; null when the document has no store or names a missing one.</summary>
    public static (string Name, JsonObject Store)? Active(JsonObject? document)
    {
        if (document?["store"] is not JsonObject stores)
        {
            return null;
        }

        var name = JsonText.Of(document["defaultProfile"]) ?? stores.Select(p => p.Key).FirstOrDefault();
        return name is not null && stores[name] is JsonObject active ? (name, active) : null;
    }

    /// <summary>The store's IANA time zone, when it names one this machine knows.</summary>
    public static TimeZoneInfo? Zone(JsonObject store) =>
        store["timezone"] is JsonValue tz && tz.GetValueKind() == JsonValueKind.String && TimeZoneInfo.TryFindSystemTimeZoneById(tz.GetValue<string>(), out var zone)
            ? zone
            : null;

    /// <summary>The slots of a schedule in document order; slots without a readable start or value are skipped.</summary>
    public static List<Slot> Read(JsonNode? schedule)
    {
        var slots = new List<Slot>();
        foreach (var slot in (schedule as JsonArray ?? []).OfType<JsonObject>())
        {
            var start = slot["timeAsSeconds"] is { } s && DocumentTime.TryNumber(s, out var secs) ? secs
                : TimeSpan.TryParse(JsonText.Of(slot["time"]), CultureInfo.InvariantCulture, out var t) ? t.TotalSeconds : double.NaN;
            if (!double.IsNaN(start) && DocumentTime.TryNumber(slot["value"], out var value))
            {
                slots.Add(new Slot(start, value));
            }
        }

        return slots;
    }

    /// <summary>The value of the last slot (in the given order) that started by <paramref name="secondsOfDay"/>.</summary>
    public static double? At(IEnumerable<Slot> schedule, double secondsOfDay)
    {
        double? value = null;
        foreach (var slot in schedule.Where(s => s.StartSeconds <= secondsOfDay))
        {
            value = slot.Value;
        }

        return value;
    }
}
