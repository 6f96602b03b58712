namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// The API in multi-site mode on real Kestrel at a free loopback port, for clients that need a real
/// socket (a browser, node's socket.io-client), with an <see cref="HttpClient"/> to it.
/// </summary>
public sealed class KestrelApi : IAsyncDisposable
{
    private KestrelApi(NocturneApiFactory factory, int port)
    {
        Factory = factory;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public NocturneApiFactory Factory { get; }

    public int Port { get; }

    public HttpClient Http { get; }

    public static async Task<KestrelApi> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var port = FreePorts.Next();
        var settings = MultiSiteApi.Settings();
        settings["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        configure?.Invoke(settings);
        var factory = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), settings);
        factory.UseKestrel();
        factory.StartServer();
        return new KestrelApi(factory, port);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Factory.DisposeAsync();
    }
}
