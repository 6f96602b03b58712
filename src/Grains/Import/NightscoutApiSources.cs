using Microsoft.Extensions.Options;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Interfaces.Connectors;

namespace Nocturne.Grains.Import;

/// <summary>
/// Opens a running Nightscout as an import source: the Nightscout connector's checks (public
/// address, a credential) and login (the access token exchanged for a JWT, else the API secret
/// verified), then the connectors' resilient HTTP client for the reads.
/// </summary>
public sealed class NightscoutApiSources(IHttpClientFactory httpClients, IEnumerable<IConnectorSource> sources, IOptions<ConnectorOptions> options, TimeProvider time)
{
    private readonly IConnectorSource _source = sources.Single(s => s.Kind == ConnectorKinds.Nightscout);

    /// <summary>Why these settings cannot reach a source (bad url, no credential), or null.</summary>
    public string? Validate(ConnectorSettings settings) => _source.Validate(settings);

    /// <summary>Logs in; throws the source's exceptions (a refused credential is <see cref="VendorPermanentException"/>).</summary>
    public async Task<NightscoutApiImportSource> OpenAsync(ConnectorSettings settings, CancellationToken cancellationToken)
    {
        var context = new ConnectorContext(httpClients.CreateClient(ConnectorHttp.ClientName), settings, time);
        var session = await _source.LoginAsync(context, cancellationToken);
        return new NightscoutApiImportSource(context, session, token => _source.LoginAsync(context, token), Math.Clamp(options.Value.ImportPageSize, 10, 1000));
    }
}
