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

    public FakeTidepool Tidepool { get; } = new();

    public FakeGlooko Glooko { get; } = new();

    public FakeCareLink CareLink { get; } = new();

    public FakeTandem Tandem { get; } = new();

    public FakeMyFitnessPal MyFitnessPal { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public MultiSiteApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Dexcom.StartAsync();
        await Libre.StartAsync();
        await Tidepool.StartAsync();
        var settings = Settings(Dexcom, Libre);
        settings["Connectors:Servers:tidepool:us"] = Tidepool.BaseUrl.ToString();
        await Glooko.StartAsync();
        await CareLink.StartAsync();
        await Tandem.StartAsync();
        await MyFitnessPal.StartAsync();
        settings["Connectors:Servers:myfitnesspal:global"] = MyFitnessPal.BaseUrl.ToString();
        settings["Connectors:Servers:tandem:us"] = Tandem.BaseUrl.ToString();
        settings["Connectors:Servers:tandem:eu"] = Tandem.BaseUrl.ToString();
        settings["Connectors:Servers:carelink:eu"] = CareLink.BaseUrl.ToString();
        settings["Connectors:Servers:carelink:us"] = CareLink.BaseUrl.ToString();
        foreach (var region in new[] { "us", "eu", "ca" })
        {
            settings[$"Connectors:Servers:glooko:{region}"] = Glooko.BaseUrl.ToString();
        }

        Api = MultiSiteApi.With(services => services.AddSingleton<ILoggerProvider>(Logs), settings);
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
        await Tidepool.DisposeAsync();
        await Glooko.DisposeAsync();
        await CareLink.DisposeAsync();
        await Tandem.DisposeAsync();
        await MyFitnessPal.DisposeAsync();
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

    /// <summary>Removes a connector, so that a test's short polling period does not go on feeding a shared fake (and taking the faults queued for the next test).</summary>
    public async Task RemoveAsync(string site, string secret, string kind)
    {
        var (status, _) = await Api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v4/connectors/{kind}");
        Assert.Equal(200, status);
    }

    public async Task<List<JsonElement>> TreatmentsAsync(string site, string secret) =>
        (await Api.GetOkAsync(site, secret, "/api/v1/treatments.json?count=2000&find[created_at][$gte]=2000-01-01")).EnumerateArray().ToList();

    /// <summary>
    /// The transient faults every source must ride out, on requests to <paramref name="path"/>: a 500
    /// and then a hang are retried within one sync; a malformed answer fails the sync without pausing
    /// it; a long Retry-After keeps the connector away from the vendor until then.
    /// </summary>
    public async Task AssertTransientFaultsAsync(FakeVendorServer vendor, string site, string secret, string kind, string path)
    {
        vendor.Faults.Enqueue(new VendorFault(VendorFaultKind.ServerError, path));
        vendor.Faults.Enqueue(new VendorFault(VendorFaultKind.Hang, path));
        Assert.Equal("healthy", (await SyncAsync(site, secret, kind)).GetProperty("health").GetString());

        vendor.Faults.Enqueue(new VendorFault(VendorFaultKind.Malformed, path));
        var malformed = await SyncAsync(site, secret, kind);
        Assert.Equal("failing", malformed.GetProperty("health").GetString());
        Assert.False(malformed.GetProperty("lastError").GetProperty("permanent").GetBoolean());

        vendor.Faults.Enqueue(new VendorFault(VendorFaultKind.RateLimited, path, RetryAfterSeconds: 600));
        var limited = await SyncAsync(site, secret, kind);
        Assert.Equal("failing", limited.GetProperty("health").GetString());
        Assert.True(limited.GetProperty("backoffUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(8));
    }

    /// <summary>The operator's Prometheus scrape, once it satisfies <paramref name="ready"/> (the exporter caches a scrape for a moment).</summary>
    public async Task<string> MetricsAsync(Func<string, bool> ready)
    {
        var text = "";
        for (var attempt = 0; attempt < 20 && !ready(text); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 500);
            using var request = MultiSiteApi.OperatorRequest(HttpMethod.Get, "/metrics");
            using var response = await Api.Client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
        }

        Assert.True(ready(text), text);
        return text;
    }

    /// <summary>A v3 document that was deleted (v3 shows isValid only when false).</summary>
    public static bool IsDeleted(JsonElement doc) => doc.TryGetProperty("isValid", out var valid) && valid.ValueKind == JsonValueKind.False;

    /// <summary>v3 history of a collection after <paramref name="since"/>, deletions included (isValid false).</summary>
    public async Task<List<JsonElement>> HistoryAsync(string site, string secret, string collection, long since)
    {
        var token = await Api.CreateSubjectAsync(site, secret, $"history-{Guid.NewGuid():N}"[..16], "readable");
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, $"/api/v3/{collection}/history/{since}?limit=1000");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Api.JwtAsync(site, token));
        var (status, body) = await Api.SendAsync(request);
        Assert.Equal(200, status);
        return body.GetProperty("result").EnumerateArray().ToList();
    }

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
