using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// The v3 document model (lib/api3): date parsing, validation, identifiers, immutable fields,
/// read-only documents and treatment durations.
/// </summary>
public static class V3Rules
{
    /// <summary>Fields the server owns; a client never writes them into the stored document.</summary>
    public static readonly string[] ServerFields = ["identifier", "srvCreated", "srvModified", "isValid", "_id"];

    private static readonly string[] Immutable = ["identifier", "date", "utcOffset", "eventType", "device", "app", "srvCreated", "subject", "srvModified", "modifiedBy", "isValid"];

    /// <summary>Sets date (epoch ms), utcOffset and created_at from date or created_at; false when there is no usable date.</summary>
    public static bool ParseDate(JsonObject doc)
    {
        var source = doc["date"] ?? doc["created_at"];
        if (source is not JsonValue value)
        {
            return false;
        }

        long ms;
        int? offset = null;
        if (value.GetValueKind() == JsonValueKind.Number || (value.GetValueKind() == JsonValueKind.String
            && double.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            var number = value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>() : double.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture);
            // Below 2000-01-01 in milliseconds, the value is taken as seconds (reference rule).
            if (DocumentTime.ToMilliseconds(number < DocumentTime.Earliest ? number * 1000 : number) is not { } numberMs)
            {
                return false;
            }

            ms = numberMs;
        }
        else if (value.GetValueKind() == JsonValueKind.String && TryParseText(value.GetValue<string>(), out var parsed))
        {
            ms = parsed.ToUnixTimeMilliseconds();
            offset = (int)parsed.Offset.TotalMinutes;
        }
        else
        {
            return false;
        }

        doc["date"] = ms;
        if (doc["utcOffset"] is null)
        {
            doc["utcOffset"] = offset ?? 0;
        }

        if (doc["created_at"] is not null || doc["eventType"] is not null)
        {
            doc["created_at"] = DocumentTime.Iso(ms);
        }

        return true;
    }

    /// <summary>The reference's validation; the message is its exact error text.</summary>
    public static string? Validate(JsonObject doc, string identifier)
    {
        if (!DocumentTime.TryNumber(doc["date"], out var date) || doc["date"]!.GetValueKind() != JsonValueKind.Number || date <= DocumentTime.Earliest)
        {
            return "Bad or missing date field";
        }

        if (doc["utcOffset"] is not JsonValue utc || utc.GetValueKind() != JsonValueKind.Number || !DocumentTime.TryNumber(utc, out var offset) || offset is < -1440 or > 1440)
        {
            return "Bad or missing utcOffset field";
        }

        if (doc["app"] is not JsonValue app || app.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(app.GetValue<string>()))
        {
            return "Bad or missing app field";
        }

        return string.IsNullOrWhiteSpace(identifier) ? "Bad or missing identifier field" : null;
    }

    /// <summary>The identifier a document has, or the one the reference derives for it.</summary>
    public static string Identifier(JsonObject doc)
    {
        if (doc["identifier"] is JsonValue given && given.GetValueKind() == JsonValueKind.String && !string.IsNullOrWhiteSpace(given.GetValue<string>()))
        {
            return given.GetValue<string>();
        }

        var device = doc["device"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : "undefined";
        var name = $"{device}_{(DocumentTime.TryNumber(doc["date"], out var date) ? ((long)date).ToString(CultureInfo.InvariantCulture) : "undefined")}";
        if (doc["eventType"] is JsonValue et && et.GetValueKind() == JsonValueKind.String)
        {
            name += "_" + et.GetValue<string>();
        }

        return Uuid5.Create(name);
    }

    /// <summary>"Field X cannot be modified by the client", or null.</summary>
    public static string? ImmutableViolation(JsonObject body, StoredDocument stored, bool ignoreIdentifier)
    {
        if (!stored.IsValid)
        {
            return null;
        }

        var current = V3Json(stored);
        foreach (var field in Immutable)
        {
            if (ignoreIdentifier && field == "identifier")
            {
                continue;
            }

            if (body[field] is { } value && current[field] is { } existing && !JsonNode.DeepEquals(value, existing))
            {
                return $"Field {field} cannot be modified by the client";
            }
        }

        return null;
    }

    public static bool IsReadOnly(StoredDocument stored) =>
        new[] { "isReadOnly", "readOnly", "readonly" }.Any(f => stored.Doc[f] is JsonValue v && v.GetValueKind() == JsonValueKind.True);

    /// <summary>Treatment durations: endmills = date + duration, durationInMilliseconds and duration (minutes) kept consistent.</summary>
    public static void ApplyDuration(Collection collection, JsonObject doc)
    {
        if (collection != Collection.Treatments || !DocumentTime.TryNumber(doc["date"], out var date))
        {
            return;
        }

        double? ms = DocumentTime.TryNumber(doc["durationInMilliseconds"], out var dms) ? dms
            : DocumentTime.TryNumber(doc["duration"], out var minutes) ? minutes * 60_000 : null;
        if (ms is not { } duration)
        {
            return;
        }

        var end = (long)(date + duration);
        doc["endmills"] = end;
        doc["durationInMilliseconds"] = end - (long)date;
        doc["duration"] = Math.Round((end - (long)date) / 60_000.0);
    }

    /// <summary>The document as v3 shows it: fields, identifier, server clocks; never _id.</summary>
    public static JsonObject V3Json(StoredDocument stored)
    {
        var json = (JsonObject)stored.Doc.DeepClone();
        json["identifier"] = stored.Identifier;
        json["srvCreated"] = stored.SrvCreated;
        json["srvModified"] = stored.SrvModified;
        if (!stored.IsValid)
        {
            json["isValid"] = false;
        }

        return json;
    }

    /// <summary>The dedup key the reference falls back to for documents written without an identifier (v1).</summary>
    public static (string Sql, object[] Values)? FallbackKey(Collection collection, JsonObject doc)
    {
        var date = DocumentTime.TryNumber(doc["date"], out var d) ? (long)d : 0;
        var createdAt = DocumentTime.Iso(date);
        string? Text(string field) => doc[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        return collection switch
        {
            Collection.Entries when Text("type") is { } type => ("date_ms = @k0 AND type = @k1", [date, type]),
            Collection.Treatments when Text("eventType") is { } eventType => ("doc->>'created_at' = @k0 AND type = @k1", [createdAt, eventType]),
            Collection.DeviceStatus when Text("device") is { } device => ("doc->>'created_at' = @k0 AND type = @k1", [createdAt, device]),
            Collection.Food or Collection.Profile => ("doc->>'created_at' = @k0", [createdAt]),
            _ => null,
        };
    }

    private static bool TryParseText(string text, out DateTimeOffset parsed)
    {
        // "2019-06-10T08:07:08,576+02:00": a comma before the milliseconds is ISO-8601 too.
        var normalised = System.Text.RegularExpressions.Regex.Replace(text, @"(T\d{2}:\d{2}:\d{2}),(\d+)", "$1.$2");
        return DocumentTime.TryParse(normalised, out parsed);
    }
}
