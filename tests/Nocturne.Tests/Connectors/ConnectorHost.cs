using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// The API (multi-site, co-hosted silo, real PostgreSQL) wired to fake vendor clouds on loopback,
/// with short polling and HTTP timeouts so that reminders and faults play out in seconds.
/// </summary>
public sealed class ConnectorHost : IAsyncLifetime
{
    public const string CredentialKey = "bm9jdHVybmUtdGVzdC1jb25uZWN0b3Ita2V5LTMyYnk=";

    public FakeDexcomShare Dexcom { get; } = new();

    public FakeLibreLinkUp Libre { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public MultiSiteApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Dexcom.StartAsync();
        await Libre.StartAsync();
        Api = MultiSiteApi.With(services => services.AddSingleton<ILoggerProvider>(Logs), Settings(Dexcom, Libre));
        await Api.InitializeAsync();
    }

    public static Dictionary<string, string?> Settings(FakeDexcomShare dexcom, FakeLibreLinkUp libre)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Connectors:CredentialKey"] = CredentialKey,
            ["Connectors:MinimumIntervalSeconds"] = "1",
            // The Nightscout source is pointed at another test server on loopback.
            ["Connectors:AllowPrivateNightscoutUrls"] = "true",
            ["Connectors:Servers:dexcom:us"] = dexcom.BaseUrl.ToString(),
            ["Connectors:Http:AttemptTimeoutSeconds"] = "1",
            ["Connectors:Http:TotalTimeoutSeconds"] = "5",
            ["Connectors:Http:RetryAttempts"] = "2",
            ["Connectors:Http:RetryDelaySeconds"] = "0.05",
            ["Connectors:Http:MaxRetryAfterSeconds"] = "1",
            ["Connectors:Http:BreakerMinimumThroughput"] = "1000",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Nocturne"] = "Trace",
            ["Logging:LogLevel:System.Net.Http"] = "Trace",
            ["Logging:LogLevel:Polly"] = "Trace",
        };
        foreach (var region in FakeLibreLinkUp.Regions)
        {
            settings[$"Connectors:Servers:librelinkup:{region}"] = new Uri(libre.BaseUrl, region + "/").ToString();
        }

        return settings;
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Dexcom.DisposeAsync();
        await Libre.DisposeAsync();
    }

    public Task<(int Status, JsonElement Body)> ConfigureAsync(string site, string secret, string kind, object settings) =>
        Api.SendAsAdminAsync(site, secret, HttpMethod.Put, $"/api/v4/connectors/{kind}", settings);

    public async Task<JsonElement> StatusAsync(string site, string secret, string kind) =>
        await Api.GetOkAsync(site, secret, $"/api/v4/connectors/{kind}");

    public async Task<JsonElement> SyncAsync(string site, string secret, string kind, bool full = false)
    {
        var (status, body) = await Api.SendAsAdminAsync(site, secret, HttpMethod.Post, $"/api/v4/connectors/{kind}/sync{(full ? "?full=true" : "")}");
        Assert.Equal(200, status);
        return body;
    }

    public async Task<List<JsonElement>> EntriesAsync(string site, string secret) =>
        (await Api.GetOkAsync(site, secret, "/api/v1/entries.json?count=2000")).EnumerateArray().ToList();

    /// <summary>Waits (up to a generous bound, for a loaded machine) until the condition holds; false if it never did.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, int seconds = 45)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250);
        }

        return await condition();
    }
}
