using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>/api/v2/properties</c> of a site: what the patient's live window gives, with <c>iob</c> and
/// <c>cob</c> from the site's loop. Every route that shows properties reads them here.
/// </summary>
public static class LiveProperties
{
    /// <summary>The wanted properties (all when <paramref name="names"/> is null); null when the site serves no data.</summary>
    public static async Task<JsonObject?> ReadAsync(SiteGrains site, IReadOnlyCollection<string>? names)
    {
        var list = names?.ToList();
        if (await site.Documents.GetPropertiesAsync(list) is not { } json)
        {
            return null;
        }

        var properties = JsonNode.Parse(json)!.AsObject();
        bool Wanted(string name) => names is null || names.Contains(name);
        if ((Wanted("iob") || Wanted("cob")) && await site.Loop.GetInsulinAndCarbsAsync(Wanted("iob"), Wanted("cob")) is { } loop)
        {
            foreach (var (name, value) in JsonNode.Parse(loop)!.AsObject())
            {
                properties[name] = value?.DeepClone();
            }
        }

        return properties;
    }
}
