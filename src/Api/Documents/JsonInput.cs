using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Api.Documents;

/// <summary>
/// Checks an uploaded JSON document for what parses but cannot be stored faithfully: bytes that are
/// not UTF-8 (they would become U+FFFD), text with NUL or lone surrogates, and numbers that are not
/// finite doubles (1e400, 1e1000000: no Nightscout client can mean them, and PostgreSQL or our
/// arithmetic would fail on them). Runs before anything reaches a grain or the database.
/// </summary>
public static class JsonInput
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes UTF-8, refusing invalid bytes instead of replacing them.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>Why the document cannot be stored, naming where, or null when it can.</summary>
    public static string? Problem(JsonNode? node)
    {
        try
        {
            return Problem(node, "$");
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json reads an escaped lone surrogate ("\ud800") only when the value is
            // materialised, and refuses it then.
            return "The body contains a lone UTF-16 surrogate escape";
        }
    }

    private static string? Problem(JsonNode? node, string path)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (StorableText.Problem(key) is { } keyProblem)
                    {
                        return $"A field name in {path} {keyProblem}";
                    }

                    if (Problem(value, $"{path}.{key}") is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (Problem(array[i], $"{path}[{i}]") is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return ValueProblem(node.AsValue(), path);
        }
    }

    private static string? ValueProblem(JsonValue value, string path)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return StorableText.Problem(value.GetValue<string>()) is { } problem ? $"{path} {problem}" : null;
            case JsonValueKind.Number:
                return value.TryGetValue(out double number) && double.IsFinite(number)
                    ? null
                    : $"{path} is a number outside the range of a double";
            default:
                return null;
        }
    }

    /// <summary>Parses and checks in one go.</summary>
    public static JsonNode? Parse(string json, out string? problem)
    {
        var node = JsonNode.Parse(json);
        problem = Problem(node);
        return problem is null ? node : null;
    }
}
