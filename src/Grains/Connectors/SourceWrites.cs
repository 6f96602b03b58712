using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Connectors;

/// <summary>Fetched documents into a site, through its patient grain (the documents' single writer), in chunks.</summary>
public static class SourceWrites
{
    private const int ChunkSize = 500;

    /// <summary>Writes <paramref name="documents"/> and returns how many the site stored; a refusal throws <see cref="VendorProtocolException"/>.</summary>
    public static async Task<int> WriteAsync(IPatientGrain patient, Collection collection, IEnumerable<JsonObject> documents, WriteMode mode)
    {
        var written = 0;
        foreach (var chunk in documents.Chunk(ChunkSize))
        {
            var outcome = await patient.WriteDocumentsAsync(collection, new JsonArray([.. chunk.Select(d => (JsonNode)d.DeepClone())]).ToJsonString(), mode);
            if (!outcome.IsDone)
            {
                throw new VendorProtocolException($"The site refused {CollectionNames.Of(collection)} from the source: {outcome.Title ?? outcome.Status.ToString()} {outcome.Message}".Trim());
            }

            written += (JsonNode.Parse(outcome.Value!) as JsonArray)!.Count;
        }

        return written;
    }
}
