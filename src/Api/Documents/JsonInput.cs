using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;

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

    private const string LoneSurrogate = "The body contains a lone UTF-16 surrogate escape";

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
            return LoneSurrogate;
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

    /// <summary>
    /// True when <paramref name="utf8"/> (already known to be valid UTF-8) is a JSON object or array
    /// that <see cref="Parse"/> would accept, read with <see cref="Utf8JsonReader"/> and no document tree:
    /// an upload is checked here once, then the patient grain parses it. False means "not certain",
    /// never "refused": the caller then asks <see cref="Parse"/>, which names the problem, so every error
    /// message stays that of the tree walk. Not certain: a byte order mark, anything the reader refuses,
    /// a top-level value that is not an object or array, an escaped field name, a field name repeated in
    /// one object (or an object of more fields than are compared here), an escaped string that is not
    /// storable or does not unescape, and a number that is not a finite double.
    /// </summary>
    public static bool IsCertainlyStorable(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            return false;
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        // The field names of each open object, as offsets into the input, to see a repeated name.
        Span<(int Start, int Length)> names = stackalloc (int, int)[MaxComparedFields * 8];
        Span<int> counts = stackalloc int[8];
        try
        {
            if (!reader.Read() || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return false;
            }

            do
            {
                var depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject when depth < counts.Length:
                        counts[depth] = 0;
                        break;
                    case JsonTokenType.StartObject:
                        return false;
                    case JsonTokenType.PropertyName:
                        if (reader.ValueIsEscaped || reader.HasValueSequence)
                        {
                            return false;
                        }

                        var level = depth - 1;
                        var start = (int)reader.TokenStartIndex + 1;
                        var name = utf8.Slice(start, reader.ValueSpan.Length);
                        var count = counts[level];
                        if (count == MaxComparedFields)
                        {
                            return false;
                        }

                        for (var i = 0; i < count; i++)
                        {
                            var seen = names[(level * MaxComparedFields) + i];
                            if (utf8.Slice(seen.Start, seen.Length).SequenceEqual(name))
                            {
                                return false;
                            }
                        }

                        names[(level * MaxComparedFields) + count] = (start, name.Length);
                        counts[level] = count + 1;
                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        // Unescaped text is valid UTF-8 without control characters, so storable; escapes may hide NUL or a lone surrogate.
                        if (StorableText.Problem(reader.GetString()!) is not null)
                        {
                            return false;
                        }

                        break;
                    case JsonTokenType.Number:
                        if (!reader.TryGetDouble(out var number) || !double.IsFinite(number))
                        {
                            return false;
                        }

                        break;
                }
            }
            while (reader.Read());

            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    // Per object; an object with more fields falls back to the tree walk (uploads have a dozen or so).
    private const int MaxComparedFields = 32;

    /// <summary>
    /// Parses and checks in one go. A name given twice in an object keeps its last value, as
    /// JSON.parse does in the reference; <paramref name="normalised"/> is then the body with each
    /// name once, which is what goes on (everything after this point may assume unique names).
    /// </summary>
    public static JsonNode? Parse(string json, out string? problem, out string? normalised)
    {
        var node = LastValueWinsJson.Parse(json, out var repeated);
        problem = Problem(node);
        normalised = problem is null && repeated ? node?.ToJsonString() : null;
        return problem is null ? node : null;
    }
}
