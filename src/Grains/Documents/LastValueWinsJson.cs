using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

/// <summary>
/// JSON as the reference reads it: JSON.parse keeps the last value of a name given twice in an
/// object (at the first one's place), where a <see cref="JsonObject"/> from JsonNode.Parse throws
/// the first time such an object is read. Used wherever JSON from outside becomes a tree.
/// </summary>
public static class LastValueWinsJson
{
    /// <summary>The tree of <paramref name="json"/>; <paramref name="repeatedNames"/> says whether a name was given twice.</summary>
    public static JsonNode? Parse(string json, out bool repeatedNames) =>
        Parse(JsonDocument.Parse(json), out repeatedNames);

    /// <inheritdoc cref="Parse(string, out bool)"/>
    public static JsonNode? Parse(ReadOnlyMemory<byte> utf8, out bool repeatedNames) =>
        Parse(JsonDocument.Parse(utf8), out repeatedNames);

    // The document is not disposed: the values of the tree point into it, as JsonNode.Parse's do.
    private static JsonNode? Parse(JsonDocument document, out bool repeatedNames)
    {
        var repeated = false;
        var node = Build(document.RootElement, ref repeated);
        repeatedNames = repeated;
        return node;
    }

    private static JsonNode? Build(JsonElement element, ref bool repeated)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    var name = Name(property);
                    var value = Build(property.Value, ref repeated);
                    if (!obj.TryAdd(name, value))
                    {
                        repeated = true;
                        obj[name] = value;
                    }
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(Build(item, ref repeated));
                }

                return array;
            case JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(element);
        }
    }

    // A name is read here, as the tree is built, where JsonNode.Parse would read it later: an
    // escaped lone surrogate ("\ud800") is refused as what it is, JSON that cannot be read as text.
    private static string Name(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException("A field name contains a lone UTF-16 surrogate escape", ex);
        }
    }
}
