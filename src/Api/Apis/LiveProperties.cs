using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>/api/v2/properties</c> of a site, <c>iob</c> and <c>cob</c> included, as the patient grain
/// computes them. Every route that shows properties reads them here.
/// </summary>
public static class LiveProperties
{
    /// <summary>The wanted properties (all when <paramref name="names"/> is null) as JSON; null when the site serves no data.</summary>
    public static Task<string?> ReadJsonAsync(SiteGrains site, IReadOnlyCollection<string>? names) =>
        site.Documents.GetPropertiesAsync(names?.ToList());

    /// <summary>The wanted properties (all when <paramref name="names"/> is null); null when the site serves no data.</summary>
    public static async Task<JsonObject?> ReadAsync(SiteGrains site, IReadOnlyCollection<string>? names) =>
        await ReadJsonAsync(site, names) is { } json ? JsonNode.Parse(json)!.AsObject() : null;

    /// <summary>A properties object with one more property appended, written without parsing the object again.</summary>
    public static string Append(string propertiesJson, string name, JsonNode value)
    {
        var body = propertiesJson[..propertiesJson.LastIndexOf('}')].TrimEnd();
        var separator = body.Length > 1 ? "," : "";
        return string.Concat(body, separator, System.Text.Json.JsonSerializer.Serialize(name), ":", value.ToJsonString(), "}");
    }
}
