using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// How each collection validates and normalises what v1 clients upload, following the reference
/// server (lib/server/entries.js, treatments.js, devicestatus.js, profile.js), plus validation it
/// lacks: a document that cannot be stored correctly fails the whole request, which stores nothing.
/// </summary>
public static class DocumentRules
{
    public const int MaxPredictions = 288;

    // Fields the reference coerces with Number() (treatments prepareData).
    private static readonly string[] TreatmentNumbers = ["glucose", "targetTop", "targetBottom", "carbs", "insulin", "duration", "percent", "absolute", "relative", "preBolus"];
    private static readonly string[] TreatmentDropWhenFalsy = ["targetTop", "targetBottom", "carbs", "insulin", "percent", "relative", "notes", "preBolus"];
    private static readonly string[] EntryNumbers = ["sgv", "mbg", "filtered", "unfiltered", "rssi", "noise", "slope", "intercept", "scale", "delta"];

    public sealed record Prepared(List<PreparedDocument> Documents, string? Error, string? Description);

    /// <summary>
    /// Checks and normalises each document of <paramref name="input"/>, which the caller hands over
    /// (its own parse or copy): the documents are taken out of it and changed in place, not copied,
    /// because a copy of every upload was a quarter of what the grain allocated for it.
    /// </summary>
    public static Prepared Prepare(Collection collection, JsonArray input, DateTimeOffset now)
    {
        var documents = new List<PreparedDocument>();
        var items = input.ToArray();
        input.Clear();
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is not JsonObject doc)
            {
                return Fail($"Document {i} is not a JSON object");
            }

            if (TextFields(collection).FirstOrDefault(f => !JsonText.IsTextOrAbsent(doc[f])) is { } notText)
            {
                return Fail($"Document {i}: {notText} must be a string");
            }

            var error = collection switch
            {
                Collection.Entries => PrepareEntry(doc, now, documents),
                Collection.Treatments => PrepareTreatment(doc, now, documents),
                _ => PrepareOther(collection, doc, now, documents),
            };
            if (error is not null)
            {
                return Fail($"Document {i}: {error.Value.Message}", error.Value.Description);
            }
        }

        return new Prepared(documents, null, null);
    }

    // Fields the server indexes or interprets as text: any other JSON type there is refused.
    private static string[] TextFields(Collection collection) => collection switch
    {
        Collection.Entries => ["type"],
        Collection.Treatments => ["eventType", "enteredBy"],
        Collection.DeviceStatus => ["device"],
        Collection.Profile => ["defaultProfile", "startDate"],
        _ => [],
    };

    private static Prepared Fail(string message, string? description = null) => new([], message, description);

    private static (string Message, string? Description)? PrepareEntry(JsonObject doc, DateTimeOffset now, List<PreparedDocument> output)
    {
        long ms;
        var offset = 0;
        if (doc["dateString"] is JsonValue ds && ds.GetValueKind() == JsonValueKind.String)
        {
            if (!DocumentTime.TryParse(ds.GetValue<string>(), out var parsed))
            {
                return ("dateString is not a date", null);
            }

            ms = parsed.ToUnixTimeMilliseconds();
            offset = (int)parsed.Offset.TotalMinutes;
        }
        else if (doc["date"] is { } dateNode)
        {
            if (!DocumentTime.TryNumber(dateNode, out var number) || DocumentTime.ToMilliseconds(number) is not { } dateMs)
            {
                return ("date must be epoch milliseconds", null);
            }

            ms = dateMs;
        }
        else
        {
            ms = now.ToUnixTimeMilliseconds();
        }

        if (DocumentTime.Problem(ms, now) is { } dateProblem)
        {
            return (dateProblem, null);
        }

        foreach (var field in EntryNumbers)
        {
            if (doc[field] is { } value && value.GetValueKind() != JsonValueKind.Null && !DocumentTime.TryNumber(value, out _))
            {
                return ($"{field} must be a number", null);
            }
        }

        var (objectId, identifier) = TakeLenientId(doc);
        doc["date"] = ms;
        doc["dateString"] = DocumentTime.Iso(ms);
        doc["sysTime"] = DocumentTime.Iso(ms);
        doc["utcOffset"] = offset;
        output.Add(new PreparedDocument(doc, ms, JsonText.Of(doc["type"]), objectId, identifier));
        return null;
    }

    private static (string Message, string? Description)? PrepareTreatment(JsonObject doc, DateTimeOffset now, List<PreparedDocument> output)
    {
        var timeField = doc["eventTime"] is JsonValue ? "eventTime" : "created_at";
        long ms;
        var offset = 0;
        if (doc[timeField] is JsonValue timeValue && timeValue.GetValueKind() == JsonValueKind.String)
        {
            if (!DocumentTime.TryParse(timeValue.GetValue<string>(), out var parsed))
            {
                return ($"{timeField} is not a date", null);
            }

            ms = parsed.ToUnixTimeMilliseconds();
            offset = (int)parsed.Offset.TotalMinutes;
        }
        else if (doc[timeField] is JsonValue numeric && DocumentTime.TryNumber(numeric, out var number))
        {
            if (DocumentTime.ToMilliseconds(number) is not { } numericMs)
            {
                return ($"{timeField} is not a date", null);
            }

            ms = numericMs;
        }
        else if (doc[timeField] is null || doc[timeField]!.GetValueKind() == JsonValueKind.Null)
        {
            ms = now.ToUnixTimeMilliseconds();
        }
        else
        {
            return ($"{timeField} is not a date", null);
        }

        if (DocumentTime.Problem(ms, now) is { } dateProblem)
        {
            return (dateProblem, null);
        }

        doc.Remove("eventTime");
        doc["created_at"] = DocumentTime.Iso(ms);
        doc["utcOffset"] = offset;
        foreach (var field in TreatmentNumbers)
        {
            if (doc[field] is not { } value || value.GetValueKind() == JsonValueKind.Null)
            {
                continue;
            }

            // Number() as the reference applies it, except that a value that is not a number is refused
            // instead of silently becoming NaN and being dropped (a lost bolus is worse than a 400).
            if (!DocumentTime.TryNumber(value, out var number) || double.IsNaN(number) || double.IsInfinity(number))
            {
                return ($"{field} must be a number", null);
            }

            doc[field] = number;
        }

        foreach (var field in TreatmentDropWhenFalsy)
        {
            if (doc[field] is { } value && IsFalsy(value))
            {
                doc.Remove(field);
            }
        }

        if (doc["glucose"] is { } glucose && IsFalsy(glucose))
        {
            doc.Remove("glucose");
            doc.Remove("glucoseType");
            doc.Remove("units");
        }

        if (JsonText.Of(doc["eventType"]) == "Announcement")
        {
            doc["isAnnouncement"] = true;
        }

        var (objectId, identifier) = TakeLenientId(doc);
        var eventType = doc["eventType"] is JsonValue et && et.GetValueKind() == JsonValueKind.String ? et.GetValue<string>() : null;

        // preBolus: the carbs move to a second treatment preBolus minutes later (reference behaviour).
        if (doc["preBolus"] is { } preBolus && DocumentTime.TryNumber(preBolus, out var minutes) && minutes != 0 && doc["carbs"] is { } carbs)
        {
            if (DocumentTime.ToMilliseconds(ms + (minutes * 60_000)) is not { } carbMs || DocumentTime.Problem(carbMs, now) is not null)
            {
                return ("preBolus moves the carbs out of the accepted date range", null);
            }

            var carbTreatment = new JsonObject
            {
                ["eventType"] = eventType,
                ["carbs"] = carbs.DeepClone(),
                ["created_at"] = DocumentTime.Iso(carbMs),
                ["utcOffset"] = offset,
            };
            if (doc["enteredBy"] is { } enteredBy)
            {
                carbTreatment["enteredBy"] = enteredBy.DeepClone();
            }

            doc.Remove("carbs");
            output.Add(new PreparedDocument(doc, ms, eventType, objectId, identifier));
            output.Add(new PreparedDocument(carbTreatment, carbMs, eventType, null, null));
            return null;
        }

        output.Add(new PreparedDocument(doc, ms, eventType, objectId, identifier));
        return null;
    }

    private static (string Message, string? Description)? PrepareOther(Collection collection, JsonObject doc, DateTimeOffset now, List<PreparedDocument> output)
    {
        string? objectId = null;
        if (doc["_id"] is { } idNode)
        {
            var id = idNode.GetValueKind() == JsonValueKind.String ? idNode.GetValue<string>() : idNode.ToJsonString();
            if (!ObjectIds.IsValid(id))
            {
                return ("Invalid _id format", $"Must be 24-character hex string or omit for auto-generation. Got: {id}");
            }

            objectId = id.ToLowerInvariant();
            doc.Remove("_id");
        }

        long ms;
        var offset = 0;
        if (doc["created_at"] is JsonValue created && created.GetValueKind() == JsonValueKind.String)
        {
            if (!DocumentTime.TryParse(created.GetValue<string>(), out var parsed))
            {
                return ("created_at is not a date", null);
            }

            ms = parsed.ToUnixTimeMilliseconds();
            offset = (int)parsed.Offset.TotalMinutes;
        }
        else
        {
            ms = now.ToUnixTimeMilliseconds();
        }

        // The reference stamps food with created_at too (on POST it even replaces the client's).
        if (collection is Collection.DeviceStatus or Collection.Profile or Collection.Activity or Collection.Food || doc["created_at"] is not null)
        {
            doc["created_at"] = DocumentTime.Iso(ms);
        }

        if (collection == Collection.DeviceStatus)
        {
            doc["utcOffset"] = offset;
            TruncatePredictions(doc);
        }

        var dateMs = ms;
        if (collection == Collection.Profile && doc["startDate"] is JsonValue start && DocumentTime.TryParse(JsonText.Of(start), out var startDate))
        {
            dateMs = startDate.ToUnixTimeMilliseconds();
        }

        if (DocumentTime.Problem(dateMs, now) is { } dateProblem)
        {
            return (dateProblem, null);
        }

        var type = collection == Collection.DeviceStatus ? JsonText.Of(doc["device"]) : null;
        var identifier = doc["identifier"] is JsonValue ident && ident.GetValueKind() == JsonValueKind.String ? ident.GetValue<string>() : null;
        output.Add(new PreparedDocument(doc, dateMs, type, objectId, identifier));
        return null;
    }

    private static void TruncatePredictions(JsonObject doc)
    {
        foreach (var section in new[] { "suggested", "enacted" })
        {
            if (doc["openaps"]?[section]?["predBGs"] is not JsonObject predictions)
            {
                continue;
            }

            foreach (var curve in new[] { "IOB", "COB", "UAM", "ZT" })
            {
                if (predictions[curve] is JsonArray values && values.Count > MaxPredictions)
                {
                    predictions[curve] = new JsonArray(values.Take(MaxPredictions).Select(v => v?.DeepClone()).ToArray());
                }
            }
        }
    }

    // Entries and treatments: a UUID _id is really the client's identifier (Loop, xDrip4iOS); a
    // 24-hex one is kept; anything else is dropped, as the reference does.
    private static (string? ObjectId, string? Identifier) TakeLenientId(JsonObject doc)
    {
        string? objectId = null;
        string? identifier = doc["identifier"] is JsonValue ident && ident.GetValueKind() == JsonValueKind.String ? ident.GetValue<string>() : null;
        if (doc["_id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String)
        {
            var value = id.GetValue<string>();
            if (ObjectIds.IsValid(value))
            {
                objectId = value.ToLowerInvariant();
            }
            else if (ObjectIds.IsUuid(value))
            {
                identifier ??= value;
                doc["identifier"] = identifier;
            }
        }

        doc.Remove("_id");
        return (objectId, identifier);
    }

    private static bool IsFalsy(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Null or JsonValueKind.False => true,
        JsonValueKind.Number => DocumentTime.TryNumber(value, out var n) && (n == 0 || double.IsNaN(n)),
        JsonValueKind.String => value.GetValue<string>().Length == 0,
        _ => false,
    };
}
