using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nocturne.Api.Errors;

/// <summary>JSON as Nightscout writes it: camelCase, nulls left out unless a shape needs them.</summary>
public static class NightscoutJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
