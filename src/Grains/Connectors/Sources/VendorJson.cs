using System.Globalization;
using System.Text.Json.Nodes;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>Lenient readers for vendor JSON, where a number may come as a number or a string.</summary>
public static class VendorJson
{
    public static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var n) => n,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    public static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    public static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary>An ISO 8601 time; without an offset it is taken as UTC.</summary>
    public static long? Time(JsonNode? node) =>
        Text(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUnixTimeMilliseconds() : null;

    public static string IsoUtc(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
