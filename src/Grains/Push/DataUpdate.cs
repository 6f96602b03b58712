using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Push;

/// <summary>
/// The reference's <c>dataUpdate</c> delta for one committed change: <c>{ delta: true, lastUpdated,
/// sgvs | mbgs | cals | treatments | devicestatus | profiles | food: [...] }</c>, entries in the reference's
/// client shape (<c>mgdl</c>, <c>mills</c>), and removals (soft or permanent) as <c>{ _id, action: "remove" }</c>.
/// </summary>
public static class DataUpdate
{
    private static readonly (string From, string? To)[] SgvFields =
        [("sgv", "mgdl"), ("device", null), ("direction", null), ("filtered", null), ("unfiltered", null), ("noise", null), ("rssi", null), ("type", null)];

    public static JsonObject? From(DocumentChange change, DateTimeOffset now)
    {
        var delta = new JsonObject { ["delta"] = true, ["lastUpdated"] = now.ToUnixTimeMilliseconds() };
        var any = false;
        foreach (var document in change.Written)
        {
            if (!document.IsValid)
            {
                any |= Add(delta, ArrayName(change.Collection, document.Type), Removal(document.ObjectId, document.DateMs));
                continue;
            }

            if (Shape(change.Collection, document) is { } shaped)
            {
                any |= Add(delta, shaped.Array, shaped.Item);
            }
        }

        foreach (var objectId in change.RemovedObjectIds)
        {
            any |= Add(delta, ArrayName(change.Collection, type: null), Removal(objectId, null));
        }

        return any ? delta : null;
    }

    /// <summary>The first <c>dataUpdate</c> a follower gets on authorizing: the site's recent readings (v1 entries) oldest first, not a delta.</summary>
    public static JsonObject Initial(JsonArray v1Entries, DateTimeOffset now)
    {
        var sgvs = new JsonArray();
        var readings = v1Entries.OfType<JsonObject>()
            .Where(e => (string?)e["type"] == "sgv" && Number(e["date"]) is not null)
            .OrderBy(e => Number(e["date"]));
        foreach (var entry in readings)
        {
            sgvs.Add(Pick(entry, (long)Number(entry["date"])!.Value, SgvFields));
        }

        return new JsonObject { ["lastUpdated"] = now.ToUnixTimeMilliseconds(), ["sgvs"] = sgvs };
    }

    /// <summary>A JSON number as a double; null for anything else (strings are not numbers here).</summary>
    public static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>() : null;

    private static bool Add(JsonObject delta, string? array, JsonObject item)
    {
        if (array is null)
        {
            return false;
        }

        if (delta[array] is not JsonArray list)
        {
            list = [];
            delta[array] = list;
        }

        list.Add(item);
        return true;
    }

    private static JsonObject Removal(string objectId, long? mills)
    {
        var removal = new JsonObject { ["_id"] = objectId, ["action"] = "remove" };
        if (mills is { } m)
        {
            removal["mills"] = m;
        }

        return removal;
    }

    private static string? ArrayName(Collection collection, string? type) => collection switch
    {
        Collection.Entries => type switch { "mbg" => "mbgs", "cal" => "cals", _ => "sgvs" },
        Collection.Treatments => "treatments",
        Collection.DeviceStatus => "devicestatus",
        Collection.Profile => "profiles",
        Collection.Food => "food",
        _ => null,
    };

    private static (string Array, JsonObject Item)? Shape(Collection collection, StoredDocument document)
    {
        // Entries pick a few fields: from the document itself, not a copy of all of it (the document never holds _id).
        switch (collection)
        {
            case Collection.Entries when document.Type == "sgv":
                return ("sgvs", Pick(document.Doc, document.ObjectId, document.DateMs, SgvFields));
            case Collection.Entries when document.Type == "mbg":
                return ("mbgs", Pick(document.Doc, document.ObjectId, document.DateMs, ("mbg", "mgdl"), ("device", null), ("type", null)));
            case Collection.Entries when document.Type == "cal":
                return ("cals", Pick(document.Doc, document.ObjectId, document.DateMs, ("scale", null), ("intercept", null), ("slope", null), ("type", null)));
            case Collection.Entries:
                return null;
            default:
                var json = document.ToV1Json();
                json["mills"] = document.DateMs;
                return (ArrayName(collection, document.Type)!, json);
        }
    }

    private static JsonObject Pick(JsonObject json, long mills, params (string From, string? To)[] fields) =>
        Pick(json, (string?)json["_id"], mills, fields);

    private static JsonObject Pick(JsonObject json, string? objectId, long mills, params (string From, string? To)[] fields)
    {
        var item = new JsonObject { ["_id"] = objectId };
        foreach (var (from, to) in fields)
        {
            if (json[from] is { } value)
            {
                item[to ?? from] = value.DeepClone();
            }
        }

        item["mills"] = mills;
        return item;
    }
}
