using System.Net.Http.Headers;
using System.Text.Json;
using Nocturne.Grains.Storage;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// A second instance of our own server (single-site, its own database, Kestrel on loopback) standing
/// in for a remote Nightscout that connectors and imports read from.
/// </summary>
public sealed class RemoteNightscout : IAsyncDisposable
{
    private NocturneApiFactory _server = null!;

    public required string Secret { get; init; }

    public HttpClient Client { get; private set; } = null!;

    public string Url { get; private set; } = null!;

    public static async Task<RemoteNightscout> StartAsync(string databasePrefix, string secret)
    {
        var remote = new RemoteNightscout { Secret = secret };
        var database = await TestServices.CreateEmptyDatabaseAsync(databasePrefix);
        await new SchemaMigrator(database).MigrateAsync();
        var port = FreePorts.Next();
        remote._server = new NocturneApiFactory(database, new Dictionary<string, string?>
        {
            ["API_SECRET"] = secret,
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AUTH_FAIL_DELAY"] = "0",
        });
        remote._server.UseKestrel();
        remote._server.StartServer();
        remote.Url = $"http://127.0.0.1:{port}/";
        remote.Client = new HttpClient { BaseAddress = new Uri(remote.Url) };
        // The default site is created by a hosted service as the server starts.
        Assert.True(await ConnectorHost.EventuallyAsync(async () => (await remote.Client.GetAsync("api/v1/status.json")).IsSuccessStatusCode));
        return remote;
    }

    /// <summary>A request that must succeed, with the API secret or else a bearer JWT; returns the body.</summary>
    public async Task<JsonElement> SendOkAsync(HttpMethod method, string path, object? body = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer is null)
        {
            request.Headers.Add("api-secret", MultiSiteApi.Sha1(Secret));
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>An access token of a new subject with <paramref name="role"/>.</summary>
    public async Task<string> TokenAsync(string role) =>
        (await SendOkAsync(HttpMethod.Post, "api/v2/authorization/subjects", new { name = $"puller-{Guid.NewGuid():N}"[..16], roles = new[] { role } }))
            .GetProperty("accessToken").GetString()!;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}
