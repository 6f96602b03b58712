using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Reads a document field that should hold text. Clients send anything (<c>"device": 5</c>,
/// <c>"eventType": []</c>), and a cast would throw on every later read of the stored document.
/// </summary>
public static class JsonText
{
    /// <summary>The string, or null when the field is missing or not a string.</summary>
    public static string? Of(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>True when the field is missing, null or a string.</summary>
    public static bool IsTextOrAbsent(JsonNode? node) =>
        node is null || node.GetValueKind() is JsonValueKind.String or JsonValueKind.Null;
}
