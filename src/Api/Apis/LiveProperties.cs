using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>/api/v2/properties</c> of a site, <c>iob</c> and <c>cob</c> included, as the patient grain
/// computes them, for the routes that show some of them (pebble, summary). The properties route
/// itself serves the patient grain's finished answer (<see cref="IPatientGrain.GetPropertiesAnswerAsync"/>).
/// </summary>
public static class LiveProperties
{
    /// <summary>The wanted properties (all when <paramref name="names"/> is null); null when the site serves no data.</summary>
    public static async Task<JsonObject?> ReadAsync(SiteGrains site, IReadOnlyCollection<string>? names) =>
        await site.Documents.GetPropertiesAsync(names?.ToList()) is { } json ? JsonNode.Parse(json)!.AsObject() : null;
}
