using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;

namespace Nocturne.Api.Documents;

/// <summary>Renders a parsed query the way the reference's echo endpoints show their Mongo query.</summary>
public static class MongoEcho
{
    public static JsonObject Render(DocumentQuery query)
    {
        var result = new JsonObject();
        foreach (var condition in query.Conditions)
        {
            JsonNode Value(string v) => condition.Kind == FindValueKind.Number && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                ? JsonValue.Create(n)
                : JsonValue.Create(v);
            JsonNode rendered = condition.Op switch
            {
                "eq" => Value(condition.Values[0]),
                "in" or "nin" => new JsonObject { ["$" + condition.Op] = new JsonArray(condition.Values.Select(Value).ToArray()) },
                "exists" => new JsonObject { ["$exists"] = condition.Values[0] is not ("false" or "0") },
                "regex" => new JsonObject { ["$regex"] = condition.Values[0] },
                _ => new JsonObject { ["$" + condition.Op] = Value(condition.Values[0]) },
            };
            if (result[condition.Field] is JsonObject existing && rendered is JsonObject more)
            {
                foreach (var (key, value) in more.ToList())
                {
                    more.Remove(key);
                    existing[key] = value;
                }
            }
            else
            {
                result[condition.Field] = rendered;
            }
        }

        return result;
    }

    public static JsonObject Input(IQueryCollection query)
    {
        var input = new JsonObject();
        foreach (var (key, values) in query)
        {
            input[key] = values.Count == 1 ? values[0] : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }

        return input;
    }
}
