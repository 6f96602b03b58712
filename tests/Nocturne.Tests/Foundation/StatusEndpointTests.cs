using System.Net;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Foundation;

public sealed class StatusEndpointTests : IAsyncLifetime
{
    private NocturneApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _factory = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), new Dictionary<string, string?>
        {
            ["DISPLAY_UNITS"] = "mmol",
            ["BG_HIGH"] = "250",
            ["ENABLE"] = "iob cob,boluscalc",
            ["CUSTOM_TITLE"] = "Alice's CGM",
        });
        _client = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task StatusJsonReportsTheNightscoutFieldsAndTheConfiguredSettings()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var response = await _client.GetAsync("/api/v1/status.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;

        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Equal("nightscout", root.GetProperty("name").GetString());
        Assert.Equal("15.0.7", root.GetProperty("version").GetString());
        Assert.True(root.GetProperty("apiEnabled").GetBoolean());
        Assert.True(root.GetProperty("careportalEnabled").GetBoolean());
        Assert.True(root.GetProperty("boluscalcEnabled").GetBoolean());
        Assert.InRange(root.GetProperty("serverTimeEpoch").GetInt64(), before - 1000, before + 60_000);
        Assert.EndsWith("Z", root.GetProperty("serverTime").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("authorized").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("extendedSettings").ValueKind);

        var settings = root.GetProperty("settings");
        Assert.Equal("mmol", settings.GetProperty("units").GetString());
        Assert.Equal("Alice's CGM", settings.GetProperty("customTitle").GetString());
        Assert.Equal(250, settings.GetProperty("thresholds").GetProperty("bgHigh").GetInt32());
        Assert.Equal(180, settings.GetProperty("thresholds").GetProperty("bgTargetTop").GetInt32());
        var enable = settings.GetProperty("enable").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("iob", enable);
        Assert.Contains("cob", enable);
        Assert.Contains("careportal", enable);
        // BG_HIGH is set, so the reference's simple alarms replace the ar2 forecast alarms.
        Assert.Contains("simplealarms", enable);
        Assert.Equal(["simple"], settings.GetProperty("alarmTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.True(settings.GetProperty("editMode").GetBoolean());
        Assert.True(settings.GetProperty("adminNotifiesEnabled").GetBoolean());
        Assert.False(settings.GetProperty("authenticationPromptOnLoad").GetBoolean());
        Assert.Equal(JsonValueKind.Number, settings.GetProperty("authFailDelay").ValueKind);
    }

    [Theory]
    [InlineData("/api/v1/status")]
    [InlineData("/api/v2/status.json")]
    public async Task StatusIsAlsoServedWithoutExtensionAndUnderV2(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", doc.RootElement.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("/api/v1/status.html", "text/html", "<h1>STATUS OK</h1>")]
    [InlineData("/api/v1/status.txt", "text/plain", "STATUS OK")]
    public async Task StatusTextFormatsMatchTheReference(string path, string mediaType, string body)
    {
        using var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StatusJsAssignsServerSettings()
    {
        var body = await _client.GetStringAsync("/api/v1/status.js");
        Assert.StartsWith("this.serverSettings = {", body, StringComparison.Ordinal);
        // The reference joins its three parts with spaces.
        Assert.EndsWith("} ;", body, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(body["this.serverSettings = ".Length..^2]);
        Assert.Equal("mmol", doc.RootElement.GetProperty("settings").GetProperty("units").GetString());
    }

    [Fact]
    public async Task StatusBadgeRedirectsToShields()
    {
        using var client = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await client.GetAsync("/api/v1/status.svg");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("http://img.shields.io/badge/Nightscout-OK-green.svg", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task ApiVersionsListsTheThreeApis()
    {
        using var doc = JsonDocument.Parse(await _client.GetStringAsync("/api/versions"));
        var urls = doc.RootElement.EnumerateArray().Select(v => v.GetProperty("url").GetString()).ToList();
        Assert.Equal(["/api/v1", "/api/v2", "/api/v3"], urls);
    }

    [Fact]
    public async Task V3VersionNamesApiVersionAndPostgresStorage()
    {
        using var doc = JsonDocument.Parse(await _client.GetStringAsync("/api/v3/version"));
        var result = doc.RootElement.GetProperty("result");
        Assert.Equal(200, doc.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("3.0.3-alpha", result.GetProperty("apiVersion").GetString());
        Assert.Equal("postgresql", result.GetProperty("storage").GetProperty("storage").GetString());
        Assert.StartsWith("15", result.GetProperty("storage").GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.InRange(result.GetProperty("srvDate").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task UnknownRouteAnswersInTheNightscoutErrorShape()
    {
        using var response = await _client.GetAsync("/api/v1/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, doc.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Not Found", doc.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task HealthEndpointsReportLiveAndReady()
    {
        using var live = await _client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await _client.GetAsync("/health/ready");
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("Healthy", doc.RootElement.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal("Healthy", doc.RootElement.GetProperty("checks").GetProperty("cluster").GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheRoutes()
    {
        using var doc = JsonDocument.Parse(await _client.GetStringAsync("/openapi/v1.json"));
        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/status", out _));
        Assert.True(paths.TryGetProperty("/pebble", out _));
        Assert.True(paths.TryGetProperty("/api/v3/version", out _));
    }
}
