using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// The operator's one-off migration of a whole Nightscout site into one of ours, through the
/// connectors' Nightscout source (v3 history with an access token, v1 with the API secret; <c>_id</c>s
/// and identifiers kept). Documents go through the patient grain with <see cref="WriteMode.InsertMissing"/>,
/// so a repeated or interrupted import resumes without duplicating anything. Deletions seen in the
/// source's history are not replayed: an import copies what exists.
/// </summary>
public sealed class NightscoutImport(IGrainFactory grains, IHttpClientFactory httpClients, IEnumerable<IConnectorSource> sources, TimeProvider time)
{
    // Each round reads up to the source's page limit per collection; this bounds a source whose cursors never settle.
    private const int MaxRounds = 10_000;

    private readonly IConnectorSource _source = sources.Single(s => s.Kind == ConnectorKinds.Nightscout);

    /// <summary>Why these settings cannot reach a source (bad url, no credential), or null.</summary>
    public string? Validate(ConnectorSettings settings) => _source.Validate(settings);

    /// <summary>Copies every document of the source into <paramref name="site"/>; throws the source's exceptions (see <see cref="IConnectorSource"/>).</summary>
    public async Task<ImportResult> ImportAsync(string site, ConnectorSettings settings, CancellationToken cancellationToken)
    {
        var context = new ConnectorContext(httpClients.CreateClient(ConnectorHttp.ClientName), settings, time);
        var session = await _source.LoginAsync(context, cancellationToken);
        var patient = grains.Site(site).Documents;
        var seen = new Dictionary<string, HashSet<string>>();
        var imported = new Dictionary<string, int>();
        var cursors = new Dictionary<string, long>();
        for (var round = 0; round < MaxRounds; round++)
        {
            var window = new SyncWindow(new Dictionary<Collection, long>(), new Dictionary<string, long>(cursors), 0, time.GetUtcNow());
            var batch = await _source.FetchAsync(context, session, window, cancellationToken);
            foreach (var (collection, documents) in batch.Documents)
            {
                var name = CollectionNames.Of(collection);
                var names = seen.TryGetValue(name, out var known) ? known : seen[name] = [];
                foreach (var document in documents)
                {
                    names.Add((string?)document["identifier"] ?? (string?)document["_id"] ?? document.ToJsonString());
                }

                imported[name] = imported.GetValueOrDefault(name) + await SourceWrites.WriteAsync(patient, collection, documents, WriteMode.InsertMissing);
            }

            var settled = batch.Cursors.All(c => cursors.TryGetValue(c.Key, out var before) && before == c.Value);
            foreach (var (name, cursor) in batch.Cursors)
            {
                cursors[name] = cursor;
            }

            if (settled)
            {
                break;
            }
        }

        var collections = seen.Keys.Union(imported.Keys).ToDictionary(
            name => name,
            name => new ImportedCollection(seen.TryGetValue(name, out var s) ? s.Count : 0, imported.GetValueOrDefault(name)));
        return new ImportResult(session.Fact("mode") ?? "v1", collections);
    }
}
