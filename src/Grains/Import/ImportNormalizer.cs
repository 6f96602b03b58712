using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Import;

/// <summary>
/// What real Nightscout databases hold that the API would not accept as is, made faithful before the
/// site's own rules see it: an entry's <c>date</c> as a string or a BSON date, a missing <c>date</c>
/// beside a usable <c>dateString</c>/<c>sysTime</c>, an <c>_id</c> that is neither an ObjectId nor a
/// UUID (kept as the identifier), an entry's numbers stored as strings (made numbers). A document whose time cannot be known is refused with its reason
/// rather than stamped with the time of the import, which would put old history at "now".
/// </summary>
public static class ImportNormalizer
{
    /// <summary>
    /// Repairs <paramref name="doc"/> in place; returns why it cannot be imported, or null and the
    /// collection's dedup key (time and type) as the site's rules read it.
    /// </summary>
    public static string? Normalize(Collection collection, JsonObject doc, DateTimeOffset now, out (long DateMs, string? Type) key)
    {
        key = default;
        if (doc["_id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String
            && id.GetValue<string>() is var text && !ObjectIds.IsValid(text) && !ObjectIds.IsUuid(text))
        {
            doc.Remove("_id");
            if (doc["identifier"] is null)
            {
                doc["identifier"] = text;
            }
        }

        var problem = collection switch
        {
            Collection.Entries => NormalizeEntry(doc),
            Collection.Treatments => HasTime(doc, "created_at") || HasTime(doc, "eventTime") ? null : "no created_at: its time cannot be known",
            Collection.DeviceStatus or Collection.Activity => HasTime(doc, "created_at") ? null : "no created_at: its time cannot be known",
            _ => null,
        };
        if (problem is not null)
        {
            return problem;
        }

        // The site's own rules decide the rest (types, ranges, field checks), one document at a time.
        var prepared = DocumentRules.Prepare(collection, [doc.DeepClone()], now);
        if (prepared.Error is null)
        {
            key = prepared.Documents.Count > 0 ? (prepared.Documents[0].DateMs, prepared.Documents[0].Type) : default;
            return null;
        }

        return $"{prepared.Error[(prepared.Error.IndexOf(':') + 1)..].Trim()}{(prepared.Description is null ? "" : $" ({prepared.Description})")}";
    }

    // Numeric fields clients read as numbers; some uploaders stored them as strings ("135").
    private static readonly string[] EntryNumbers = ["sgv", "mbg", "delta", "filtered", "unfiltered", "noise", "rssi", "slope", "intercept", "scale"];

    private static string? NormalizeEntry(JsonObject doc)
    {
        foreach (var field in EntryNumbers)
        {
            if (doc[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String && DocumentTime.TryNumber(v, out var number) && double.IsFinite(number))
            {
                doc[field] = number == Math.Floor(number) && Math.Abs(number) < 1e15 ? JsonValue.Create((long)number) : JsonValue.Create(number);
            }
        }

        long? fromDate = doc["date"] switch
        {
            JsonValue v when DocumentTime.TryNumber(v, out var n) => DocumentTime.ToMilliseconds(n),
            JsonValue v when v.GetValueKind() == JsonValueKind.String && DocumentTime.TryParse(v.GetValue<string>(), out var at) => at.ToUnixTimeMilliseconds(),
            _ => null,
        };
        var dateString = doc["dateString"] is JsonValue ds && ds.GetValueKind() == JsonValueKind.String && DocumentTime.TryParse(ds.GetValue<string>(), out _);
        if (fromDate is { } ms)
        {
            doc["date"] = ms;
            if (!dateString)
            {
                // The number is what Nightscout sorts and queries by; an unreadable dateString beside it is noise.
                doc.Remove("dateString");
            }

            return null;
        }

        if (dateString)
        {
            doc.Remove("date");
            return null;
        }

        if (doc["sysTime"] is JsonValue sys && sys.GetValueKind() == JsonValueKind.String && DocumentTime.TryParse(sys.GetValue<string>(), out var sysTime))
        {
            doc["date"] = sysTime.ToUnixTimeMilliseconds();
            return null;
        }

        return doc["date"] is null ? "no date, dateString or sysTime: its time cannot be known" : "date is not a time";
    }

    private static bool HasTime(JsonObject doc, string field) => doc[field] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => DocumentTime.TryParse(v.GetValue<string>(), out _),
        JsonValue v => DocumentTime.TryNumber(v, out var n) && DocumentTime.ToMilliseconds(n) is not null,
        _ => false,
    };
}
