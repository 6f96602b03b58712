using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Routing;

/// <summary>Routing as the reference does it: format extensions, wrong methods, HEAD, CORS, gzip bodies.</summary>
public sealed class ReferenceRoutingTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff") + "Z";

    private async Task<(int Status, string Body, HttpResponseMessage Response)> RawAsync(string site, HttpMethod method, string path, string? secret,
        Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, $"/t/{site}{path}");
        if (secret is not null)
        {
            request.Headers.Add("api-secret", MultiSiteApi.Sha1(secret));
        }

        configure?.Invoke(request);
        var response = await api.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Theory]
    [InlineData("GET", "/api/v1/profile/current.json")]
    [InlineData("GET", "/api/v1/food/quickpicks.json")]
    [InlineData("GET", "/api/v1/food/regular.json")]
    [InlineData("GET", "/api/v1/profiles.json")]
    [InlineData("GET", "/api/v1/count/entries/where.json")]
    [InlineData("GET", "/api/v1/echo/entries.json")]
    [InlineData("GET", "/api/v2/treatments.json")]
    [InlineData("GET", "/api/v2/properties.json")]
    [InlineData("GET", "/api/v1/devicestatus.json")]
    [InlineData("DELETE", "/api/v1/treatments.json?find[eventType]=Nothing")]
    public async Task AFormatExtensionIsStrippedFromAnyPath(string method, string path)
    {
        var (site, secret) = await api.CreateSiteAsync("ext");
        var (status, body, response) = await RawAsync(site, new HttpMethod(method), path, secret);
        Assert.Equal(200, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonDocument.Parse(body).Dispose();
    }

    [Fact]
    public async Task ExtensionsNeverReachTheModelOrPattern()
    {
        var (site, secret) = await api.CreateSiteAsync("extparams");
        var echo = JsonDocument.Parse((await RawAsync(site, HttpMethod.Get, "/api/v1/echo/entries/sgv.json", secret)).Body).RootElement;
        Assert.Equal("sgv", echo.GetProperty("params").GetProperty("model").GetString());
        Assert.Equal("sgv", echo.GetProperty("query").GetProperty("type").GetString());

        var times = JsonDocument.Parse((await RawAsync(site, HttpMethod.Get, "/api/v1/times/echo/2015-04/T10:.json", secret)).Body).RootElement;
        Assert.Equal("T10:", times.GetProperty("req").GetProperty("params").GetProperty("regex").GetString());
        Assert.DoesNotContain(".json", times.GetProperty("pattern")[0].GetString());

        var when = Iso(DateTimeOffset.UtcNow.AddMinutes(-3));
        var (putStatus, put, _) = await RawAsync(site, HttpMethod.Put, "/api/v1/treatments.json", secret,
            r => r.Content = new StringContent(JsonSerializer.Serialize(new { eventType = "Note", created_at = when, notes = "put" }), Encoding.UTF8, "application/json"));
        Assert.Equal(200, putStatus);
        Assert.Equal("put", JsonDocument.Parse(put).RootElement.GetProperty("notes").GetString());
    }

    [Fact]
    public async Task WithoutAcceptEntriesAreTextAndStatusIsHtmlAsInTheReference()
    {
        var (site, secret) = await api.CreateSiteAsync("accept");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new { type = "sgv", sgv = 111, date = now, direction = "Flat", device = "d" });

        var (_, text, textResponse) = await RawAsync(site, HttpMethod.Get, "/api/v1/entries", secret);
        Assert.Equal("text/plain", textResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\t{now}\t111\t", text);

        var (_, json, jsonResponse) = await RawAsync(site, HttpMethod.Get, "/api/v1/entries", secret, r => r.Headers.Accept.ParseAdd("application/json"));
        Assert.Equal("application/json", jsonResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(111, JsonDocument.Parse(json).RootElement[0].GetProperty("sgv").GetInt32());

        var (_, csv, _) = await RawAsync(site, HttpMethod.Get, "/api/v1/entries/sgv", secret, r => r.Headers.Accept.ParseAdd("text/csv"));
        Assert.Contains($",{now},111,", csv);

        var (_, html, htmlResponse) = await RawAsync(site, HttpMethod.Get, "/api/v1/status", secret);
        Assert.Equal("text/html", htmlResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<h1>STATUS OK</h1>", html);
    }

    [Theory]
    [InlineData("PATCH", "/api/v1/treatments")]
    [InlineData("GET", "/api/v1/treatments/0123456789abcdef01234567")]
    [InlineData("PUT", "/api/v1/devicestatus")]
    [InlineData("POST", "/api/v1/status.json")]
    public async Task AWrongMethodIsNotFoundAndNotAnError(string method, string path)
    {
        var (site, _) = await api.CreateSiteAsync("method");
        var (status, body, _) = await RawAsync(site, new HttpMethod(method), path, null);
        Assert.Equal(404, status);
        Assert.Equal(404, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task HeadAnswersLikeGetWithoutABody()
    {
        var (site, secret) = await api.CreateSiteAsync("head");
        foreach (var path in new[] { "/api/v1/status.json", "/api/v1/entries.json", "/api/v1/treatments", "/api/v2/properties", "/api/v3/version" })
        {
            var (status, body, response) = await RawAsync(site, HttpMethod.Head, path, secret);
            Assert.True(status == 200, $"{path}: {status}");
            Assert.Equal("", body);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(401, (await RawAsync(site, HttpMethod.Head, "/api/v1/entries.json", "wrong-secret-for-head")).Status);
    }

    [Fact]
    public async Task CorsHeadersOnlyWhenTheSiteEnablesCors()
    {
        var (withCors, secret) = await api.CreateSiteAsync("cors", new { enable = new[] { "cors", "careportal" } });
        var (status, _, response) = await RawAsync(withCors, HttpMethod.Get, "/api/v1/status.json", secret);
        Assert.Equal(200, status);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET,PUT,POST,DELETE,OPTIONS", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("Content-Type, Authorization, Content-Length, X-Requested-With", response.Headers.GetValues("Access-Control-Allow-Headers").Single());

        // Errors carry them too, so a browser can read the 401.
        var (denied, _, deniedResponse) = await RawAsync(withCors, HttpMethod.Get, "/api/v1/entries.json", "wrong-secret-for-cors");
        Assert.Equal(401, denied);
        Assert.True(deniedResponse.Headers.Contains("Access-Control-Allow-Origin"));

        var (preflight, _, preflightResponse) = await RawAsync(withCors, HttpMethod.Options, "/api/v1/treatments", null, r =>
        {
            r.Headers.Add("Origin", "https://follower.example");
            r.Headers.Add("Access-Control-Request-Method", "POST");
        });
        Assert.Equal(200, preflight);
        Assert.True(preflightResponse.Headers.Contains("Access-Control-Allow-Methods"));

        var (plain, plainSecret) = await api.CreateSiteAsync("nocors");
        var (_, _, plainResponse) = await RawAsync(plain, HttpMethod.Get, "/api/v1/status.json", plainSecret);
        Assert.False(plainResponse.Headers.Contains("Access-Control-Allow-Origin"));
        var (plainPreflight, _, plainPreflightResponse) = await RawAsync(plain, HttpMethod.Options, "/api/v1/treatments", null);
        Assert.NotEqual(200, plainPreflight);
        Assert.False(plainPreflightResponse.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static ByteArrayContent Gzip(string json)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    [Fact]
    public async Task GzipBodiesAreInflatedWithTheLimitOnTheInflatedSize()
    {
        var (site, secret) = await api.CreateSiteAsync("gzip");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var entries = JsonSerializer.Serialize(new[] { new { type = "sgv", sgv = 123, date = now, device = "xDrip" } });
        var (status, body, _) = await RawAsync(site, HttpMethod.Post, "/api/v1/entries", secret, r => r.Content = Gzip(entries));
        Assert.Equal(200, status);
        Assert.Equal(123, JsonDocument.Parse(body).RootElement[0].GetProperty("sgv").GetInt32());

        // Food allows 1 MB: 2 MB of JSON that compresses to a few kilobytes is still too large.
        var padding = new string(' ', 2 * 1024 * 1024);
        var (tooLarge, error, _) = await RawAsync(site, HttpMethod.Post, "/api/v1/food", secret, r => r.Content = Gzip("{\"name\":\"x\"" + padding + "}"));
        Assert.Equal(413, tooLarge);
        Assert.Equal(413, JsonDocument.Parse(error).RootElement.GetProperty("status").GetInt32());
        Assert.Equal(0, (await api.GetOkAsync(site, secret, "/api/v1/food.json")).GetArrayLength());
    }

    [Fact]
    public async Task PebbleServesTheNewestReadingsWithDeltaAndBattery()
    {
        var (site, secret) = await api.CreateSiteAsync("pebble");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new object[]
        {
            new { type = "sgv", sgv = 110, date = now - 601_000, direction = "Flat", device = "g6" },
            new { type = "sgv", sgv = 120, date = now - 301_000, direction = "Flat", device = "g6" },
            new { type = "sgv", sgv = 130, date = now - 1_000, direction = "FortyFiveUp", device = "g6" },
        });
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", new { device = "phone", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-1)), uploader = new { battery = 75 } });

        var (status, body, _) = await RawAsync(site, HttpMethod.Get, "/pebble?count=2", secret);
        Assert.Equal(200, status);
        var pebble = JsonDocument.Parse(body).RootElement;
        Assert.True(pebble.GetProperty("status")[0].GetProperty("now").GetInt64() >= now);
        var bgs = pebble.GetProperty("bgs");
        Assert.Equal(2, bgs.GetArrayLength());
        Assert.Equal("130", bgs[0].GetProperty("sgv").GetString());
        Assert.Equal(3, bgs[0].GetProperty("trend").GetInt32());
        Assert.Equal("FortyFiveUp", bgs[0].GetProperty("direction").GetString());
        Assert.Equal(now - 1_000, bgs[0].GetProperty("datetime").GetInt64());
        Assert.Equal(10, bgs[0].GetProperty("bgdelta").GetDouble());
        Assert.Equal("75", bgs[0].GetProperty("battery").GetString());
        Assert.Equal("120", bgs[1].GetProperty("sgv").GetString());
        Assert.False(bgs[1].TryGetProperty("bgdelta", out _));
        Assert.Equal(0, pebble.GetProperty("cals").GetArrayLength());

        var mmol = JsonDocument.Parse((await RawAsync(site, HttpMethod.Get, "/pebble?units=mmol", secret)).Body).RootElement.GetProperty("bgs");
        Assert.Equal(1, mmol.GetArrayLength());
        Assert.Equal("7.2", mmol[0].GetProperty("sgv").GetString());
        Assert.Equal("0.6", mmol[0].GetProperty("bgdelta").GetString());

        // Authorised like the reference: readable by default, refused when the site denies anonymous reads.
        Assert.Equal(200, (await RawAsync(site, HttpMethod.Get, "/pebble", null)).Status);
        var (closed, _) = await api.CreateSiteAsync("pebbleclosed", new { authDefaultRoles = new[] { "denied" } });
        Assert.Equal(401, (await RawAsync(closed, HttpMethod.Get, "/pebble", null)).Status);
    }

    [Fact]
    public async Task SecretOrTokenInTheBodyAuthenticatesAndIsNotStored()
    {
        var (site, secret) = await api.CreateSiteAsync("bodyauth", new { authDefaultRoles = new[] { "denied" } });
        var when = Iso(DateTimeOffset.UtcNow.AddMinutes(-2));
        var (status, _, _) = await RawAsync(site, HttpMethod.Post, "/api/v1/treatments", null, r => r.Content = new StringContent(
            JsonSerializer.Serialize(new { eventType = "Note", created_at = when, notes = "by secret", secret = MultiSiteApi.Sha1(secret) }), Encoding.UTF8, "application/json"));
        Assert.Equal(200, status);

        var token = await api.CreateSubjectAsync(site, secret, "uploader", "careportal");
        var (tokenStatus, _, _) = await RawAsync(site, HttpMethod.Post, "/api/v1/treatments", null, r => r.Content = new StringContent(
            JsonSerializer.Serialize(new[] { new { eventType = "Note", created_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-1)), notes = "by token", token } }), Encoding.UTF8, "application/json"));
        Assert.Equal(200, tokenStatus);

        var stored = await api.GetOkAsync(site, secret, "/api/v1/treatments.json");
        Assert.Equal(2, stored.GetArrayLength());
        foreach (var treatment in stored.EnumerateArray())
        {
            Assert.False(treatment.TryGetProperty("secret", out _));
            Assert.False(treatment.TryGetProperty("token", out _));
        }

        var (wrong, _, _) = await RawAsync(site, HttpMethod.Post, "/api/v1/treatments", null, r => r.Content = new StringContent(
            JsonSerializer.Serialize(new { eventType = "Note", created_at = when, secret = MultiSiteApi.Sha1("not-the-secret") }), Encoding.UTF8, "application/json"));
        Assert.Equal(401, wrong);
    }
}
