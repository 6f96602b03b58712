using System.Text.Json.Serialization;

namespace Nocturne.OrefInterop;

/// <summary>The envelope every JSON export of liboref answers with.</summary>
internal sealed record OrefReply<T>(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("result")] T? Result,
    [property: JsonPropertyName("error")] string? Error);
