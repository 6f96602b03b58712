using System.Globalization;
using System.Text.Json.Nodes;
using MongoDB.Bson;

namespace Nocturne.Grains.Import;

/// <summary>
/// BSON as Nightscout's API shows it: an ObjectId is its 24-hex string, a BSON date an ISO 8601
/// UTC string with milliseconds (what the reference writes into <c>created_at</c>), numbers are numbers.
/// </summary>
public static class MongoValues
{
    public static JsonObject ToJson(BsonDocument document)
    {
        var json = new JsonObject();
        foreach (var element in document)
        {
            json[element.Name] = ToJson(element.Value);
        }

        return json;
    }

    public static JsonNode? ToJson(BsonValue value) => value.BsonType switch
    {
        BsonType.Null or BsonType.Undefined => null,
        BsonType.String => JsonValue.Create(value.AsString),
        BsonType.ObjectId => JsonValue.Create(value.AsObjectId.ToString()),
        BsonType.Boolean => JsonValue.Create(value.AsBoolean),
        BsonType.Int32 => JsonValue.Create(value.AsInt32),
        BsonType.Int64 => JsonValue.Create(value.AsInt64),
        // NaN and infinities have no JSON form; the reference's API would print them as null too.
        BsonType.Double => double.IsFinite(value.AsDouble) ? JsonValue.Create(value.AsDouble) : null,
        BsonType.Decimal128 => JsonValue.Create((double)value.AsDecimal128),
        BsonType.DateTime => JsonValue.Create(Iso(value.AsBsonDateTime.MillisecondsSinceEpoch)),
        BsonType.Document => ToJson(value.AsBsonDocument),
        BsonType.Array => new JsonArray([.. value.AsBsonArray.Select(ToJson)]),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>The <c>_id</c> as the API shows it, or null when it has no string form we can keep.</summary>
    public static string? Id(BsonValue? id) => id?.BsonType switch
    {
        BsonType.ObjectId => id.AsObjectId.ToString(),
        BsonType.String => id.AsString,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double => id.ToString(),
        _ => null,
    };

    public static string Iso(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
