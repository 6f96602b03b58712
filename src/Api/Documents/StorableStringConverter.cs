using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nocturne.Api.Documents;

/// <summary>
/// For request models bound by minimal APIs (subjects, roles, sites): a string with a NUL or a
/// lone surrogate is a JSON error, which the framework answers with 400 before the handler runs.
/// </summary>
public sealed class StorableStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text;
        try
        {
            text = reader.GetString();
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException("A string in the body is not valid text", ex);
        }

        return text is not null && StorableText.Problem(text) is { } problem ? throw new JsonException($"A string in the body {problem}") : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
