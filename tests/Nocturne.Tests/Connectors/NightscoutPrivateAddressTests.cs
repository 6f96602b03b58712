using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Connectors;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// A Nightscout URL whose name is public-looking but resolves to a private address (here the
/// machine's own host name, which /etc/hosts points at loopback) passes the literal check when it is
/// configured, and is refused when the connectors' client opens the connection; other vendors'
/// requests and an operator's explicit permission are not affected.
/// </summary>
public sealed class NightscoutPrivateAddressTests : IAsyncLifetime
{
    private readonly FakeNightscout _server = new();

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static IHttpClientFactory Clients(bool allowPrivate)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connectors:AllowPrivateNightscoutUrls"] = allowPrivate ? "true" : "false",
            ["Connectors:Http:RetryAttempts"] = "0",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.Configure<ConnectorOptions>(configuration.GetSection(ConnectorOptions.Section));
        services.AddConnectorHttp();
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
    }

    private Uri ByHostName()
    {
        var host = System.Net.Dns.GetHostName();
        Assert.Contains(System.Net.Dns.GetHostAddresses(host), a => PrivateAddresses.IsPrivate(a));
        Assert.False(PrivateAddresses.IsPrivate(new Uri($"http://{host}/")), "the literal check alone would catch this name");
        return new Uri($"http://{host}:{_server.BaseUrl.Port}/api/v2/authorization/request/none");
    }

    private static HttpRequestMessage Nightscout(Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(ConnectorHttp.PublicOnly, true);
        return request;
    }

    [Fact]
    public async Task ANameResolvingToAPrivateAddressIsRefusedAtConnect()
    {
        var url = ByHostName();
        var client = Clients(allowPrivate: false).CreateClient(ConnectorHttp.ClientName);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(Nightscout(url)));
        Assert.Contains("private address", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _server.RequestsTo("authorization"));

        // A vendor's request (not a URL a site chose) connects as before.
        using var vendor = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url));
        Assert.Equal(401, (int)vendor.StatusCode);
    }

    [Fact]
    public async Task AnOperatorMayAllowPrivateAddresses()
    {
        var client = Clients(allowPrivate: true).CreateClient(ConnectorHttp.ClientName);
        using var answer = await client.SendAsync(Nightscout(ByHostName()));
        Assert.Equal(401, (int)answer.StatusCode);
    }
}
