using System.Text.Json;
using Nocturne.Tests.Infrastructure;
using Nocturne.Tests.V3;

namespace Nocturne.Tests.Robustness;

/// <summary>
/// Input that parses but cannot be stored or compared faithfully gets a 400 in the Nightscout
/// shape and stores nothing, on every write route and query operator; never a 500.
/// </summary>
public sealed class BadInputTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static string Now => DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every route that stores a JSON body, with the collection's minimal valid document.</summary>
    public static IEnumerable<(HttpMethod Method, string Path, bool V3, string Valid)> WriteRoutes()
    {
        var iso = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O");
        foreach (var prefix in new[] { "/api/v1", "/api/v2" })
        {
            yield return (HttpMethod.Post, $"{prefix}/entries", false, $"{{\"type\":\"sgv\",\"sgv\":120,\"date\":{Now},\"X\":\"Y\"}}");
            yield return (HttpMethod.Post, $"{prefix}/treatments", false, $"{{\"eventType\":\"Note\",\"created_at\":\"{iso}\",\"X\":\"Y\"}}");
            yield return (HttpMethod.Put, $"{prefix}/treatments", false, $"{{\"eventType\":\"Note\",\"created_at\":\"{iso}\",\"X\":\"Y\"}}");
            yield return (HttpMethod.Post, $"{prefix}/devicestatus", false, $"{{\"device\":\"phone\",\"created_at\":\"{iso}\",\"X\":\"Y\"}}");
            yield return (HttpMethod.Post, $"{prefix}/profile", false, $"{{\"defaultProfile\":\"a\",\"startDate\":\"{iso}\",\"X\":\"Y\"}}");
            yield return (HttpMethod.Post, $"{prefix}/food", false, "{\"type\":\"food\",\"name\":\"apple\",\"X\":\"Y\"}");
            yield return (HttpMethod.Post, $"{prefix}/activity", false, $"{{\"created_at\":\"{iso}\",\"X\":\"Y\"}}");
        }

        foreach (var collection in new[] { "entries", "treatments", "devicestatus", "profile", "food", "settings" })
        {
            yield return (HttpMethod.Post, $"/api/v3/{collection}", true, $"{{\"date\":{Now},\"app\":\"test\",\"eventType\":\"Note\",\"X\":\"Y\"}}");
            yield return (HttpMethod.Put, $"/api/v3/{collection}/{Guid.NewGuid()}", true, $"{{\"date\":{Now},\"app\":\"test\",\"eventType\":\"Note\",\"X\":\"Y\"}}");
        }
    }

    private async Task<(string Site, string Secret, string Jwt)> SiteAsync()
    {
        var (client, site, secret) = await V3Client.CreateAsync(api);
        var token = await api.CreateSubjectAsync(site, secret, "admin-" + Guid.NewGuid().ToString("N")[..6], "admin");
        _ = client;
        return (site, secret, await api.JwtAsync(site, token));
    }

    private async Task AssertRefusedEverywhereAsync(Func<string, byte[]> corrupt)
    {
        var (site, secret, jwt) = await SiteAsync();
        var before = await SiteRows.CountAsync(site);
        foreach (var (method, path, v3, valid) in WriteRoutes())
        {
            var body = corrupt(valid);
            var (status, text, _) = await RawRequests.SendAsync(api, site, method, path, body, v3 ? null : secret, v3 ? jwt : null);
            Assert.True(status == 400, $"{method} {path}: {status} {text}");
            using var error = JsonDocument.Parse(text);
            Assert.Equal(400, error.RootElement.GetProperty("status").GetInt32());
        }

        Assert.Equal(before, await SiteRows.CountAsync(site));
    }

    [Fact]
    public Task NulInAStringValueIsRefusedOnEveryWrite() =>
        AssertRefusedEverywhereAsync(valid => RawRequests.Utf8(valid.Replace("\"Y\"", "\"a\\u0000b\"", StringComparison.Ordinal)));

    [Fact]
    public Task NulInAFieldNameIsRefusedOnEveryWrite() =>
        AssertRefusedEverywhereAsync(valid => RawRequests.Utf8(valid.Replace("\"X\"", "\"a\\u0000\"", StringComparison.Ordinal)));

    [Fact]
    public Task LoneSurrogateEscapeIsRefusedOnEveryWrite() =>
        AssertRefusedEverywhereAsync(valid => RawRequests.Utf8(valid.Replace("\"Y\"", "\"\\ud800\"", StringComparison.Ordinal)));

    [Fact]
    public Task InvalidUtf8BytesAreRefusedInsteadOfStoredAsReplacementCharacters() =>
        AssertRefusedEverywhereAsync(valid =>
        {
            var bytes = RawRequests.Utf8(valid.Replace("\"Y\"", "\"Y#\"", StringComparison.Ordinal)).ToList();
            bytes[bytes.IndexOf((byte)'#')] = 0xFF;
            return bytes.ToArray();
        });

    [Theory]
    [InlineData("1e1000000")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public Task NumbersBeyondADoubleAreRefusedOnEveryWrite(string number) =>
        AssertRefusedEverywhereAsync(valid => RawRequests.Utf8(valid.Replace("\"Y\"", number, StringComparison.Ordinal)));

    [Fact]
    public async Task AFieldGivenTwiceKeepsItsLastValueOnEveryWriteAsTheReference()
    {
        // JSON.parse in the reference keeps the last of repeated names; so do we, at the top level and nested.
        var (site, secret, jwt) = await SiteAsync();
        foreach (var (method, path, v3, valid) in WriteRoutes())
        {
            var body = valid.Replace("\"X\":\"Y\"", "\"X\":\"Y\",\"N\":{\"a\":1,\"a\":2},\"X\":\"Z\"", StringComparison.Ordinal);
            var (status, text, _) = await RawRequests.SendAsync(api, site, method, path, RawRequests.Utf8(body), v3 ? null : secret, v3 ? jwt : null);
            Assert.True(status is 200 or 201, $"{method} {path}: {status} {text}");
        }

        var stored = await SiteRows.DocumentsWithAsync(site, "X");
        Assert.NotEmpty(stored);
        Assert.All(stored, doc =>
        {
            Assert.Equal("Z", doc.GetProperty("X").GetString());
            Assert.Equal(2, doc.GetProperty("N").GetProperty("a").GetInt32());
        });
    }

    [Theory]
    [InlineData("/api/v1/treatments", "{\"eventType\":[],\"created_at\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("/api/v2/treatments", "{\"eventType\":{\"a\":1}}")]
    [InlineData("/api/v1/treatments", "{\"eventType\":\"Note\",\"enteredBy\":[1]}")]
    [InlineData("/api/v1/devicestatus", "{\"device\":5}")]
    [InlineData("/api/v1/entries", "{\"type\":[\"sgv\"],\"sgv\":100}")]
    [InlineData("/api/v1/profile", "{\"defaultProfile\":{},\"store\":{}}")]
    public async Task AWrongJsonTypeWhereTextIsExpectedIsRefused(string path, string body)
    {
        var (site, secret, _) = await SiteAsync();
        var before = await SiteRows.CountAsync(site);
        var (status, text, _) = await RawRequests.SendAsync(api, site, HttpMethod.Post, path, RawRequests.Utf8(body), secret);
        Assert.True(status == 400, $"{status} {text}");
        Assert.Equal(before, await SiteRows.CountAsync(site));
    }

    [Fact]
    public async Task ProfilePutWithANonTextIdIsRefused()
    {
        var (site, secret, _) = await SiteAsync();
        var (status, text, _) = await RawRequests.SendAsync(api, site, HttpMethod.Put, "/api/v1/profile", RawRequests.Utf8("{\"_id\":5,\"store\":{}}"), secret);
        Assert.True(status == 400, $"{status} {text}");
    }

    [Theory]
    [InlineData("/api/v1/treatments.json?find[notes]=%00")]
    [InlineData("/api/v1/entries.json?find[type]=%00")]
    [InlineData("/api/v1/treatments?find[notes][$in][]=a&find[notes][$in][]=%00")]
    [InlineData("/api/v1/count/entries/where?find[type]=%00")]
    [InlineData("/api/v3/treatments?notes$eq=%00")]
    [InlineData("/api/v3/treatments?notes%00=1")]
    [InlineData("/api/v3/entries?type$in=sgv|%00")]
    [InlineData("/api/v3/treatments?notes$eq=%ED%A0%80")]
    public async Task NulOrHalfASurrogateInTheUrlIsRefused(string pathAndQuery)
    {
        var (site, secret, jwt) = await SiteAsync();
        var v3 = pathAndQuery.StartsWith("/api/v3", StringComparison.Ordinal);
        var (status, text, _) = await RawRequests.SendAsync(api, site, HttpMethod.Get, pathAndQuery, null, v3 ? null : secret, v3 ? jwt : null);
        Assert.True(status is 400 or 200, $"{status} {text}");
        if (status == 200)
        {
            // %ED%A0%80 is not UTF-8 at all: decoding may keep it as literal text, which matches nothing.
            Assert.Contains("%ED", pathAndQuery, StringComparison.Ordinal);
        }

        var (deleteStatus, deleteText, _) = await RawRequests.SendAsync(api, site, HttpMethod.Delete, pathAndQuery.Replace(".json", "", StringComparison.Ordinal), null, v3 ? null : secret, v3 ? jwt : null);
        Assert.True(deleteStatus < 500, $"DELETE {deleteStatus} {deleteText}");
    }

    [Theory]
    [InlineData("a{1,1000}")]
    [InlineData("(?>a)")]
    [InlineData("\\p{L}")]
    [InlineData("(?<n>a)\\k<n>")]
    [InlineData("a(?i)b")]
    [InlineData("(?i:a)")]
    [InlineData("a{256}")]
    [InlineData("(")]
    [InlineData("[")]
    public async Task RegularExpressionsPostgresCannotCompileAreRefusedOnReadsAndDeletes(string pattern)
    {
        var (site, secret, jwt) = await SiteAsync();
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new { eventType = "Note", notes = "abc" });
        var before = await SiteRows.CountAsync(site);
        var escaped = Uri.EscapeDataString(pattern);
        foreach (var (method, path, v3) in new[]
        {
            (HttpMethod.Get, $"/api/v1/treatments?find[notes][$regex]={escaped}", false),
            (HttpMethod.Get, $"/api/v1/treatments?find[notes]=/{escaped}/i", false),
            (HttpMethod.Get, $"/api/v1/entries?find[type][$regex]={escaped}", false),
            (HttpMethod.Delete, $"/api/v1/treatments?find[notes][$regex]={escaped}", false),
            (HttpMethod.Delete, $"/api/v1/entries?find[type][$regex]={escaped}", false),
            (HttpMethod.Get, $"/api/v1/count/treatments/where?find[notes][$regex]={escaped}", false),
            (HttpMethod.Get, $"/api/v3/treatments?notes$re={escaped}", true),
        })
        {
            var (status, text, _) = await RawRequests.SendAsync(api, site, method, path, null, v3 ? null : secret, v3 ? jwt : null);
            Assert.True(status == 400, $"{method} {path}: {status} {text}");
        }

        Assert.Equal(before, await SiteRows.CountAsync(site));
    }

    [Theory]
    [InlineData("ab?c")]
    [InlineData("^a.c$")]
    [InlineData("(?i)ABC")]
    [InlineData("a{1,3}bc")]
    [InlineData("(?:a|x)b(?=c)")]
    public async Task RegularExpressionsBothEnginesShareStillMatch(string pattern)
    {
        var (site, secret, jwt) = await SiteAsync();
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new { eventType = "Note", notes = "abc" });
        var escaped = Uri.EscapeDataString(pattern);
        var (status, text, _) = await RawRequests.SendAsync(api, site, HttpMethod.Get, $"/api/v1/treatments?find[notes][$regex]={escaped}", null, secret);
        Assert.Equal(200, status);
        Assert.Single(JsonDocument.Parse(text).RootElement.EnumerateArray());
        var (v3Status, v3Text, _) = await RawRequests.SendAsync(api, site, HttpMethod.Get, $"/api/v3/treatments?notes$re={escaped}", null, bearer: jwt);
        Assert.Equal(200, v3Status);
        Assert.Single(JsonDocument.Parse(v3Text).RootElement.GetProperty("result").EnumerateArray());
    }

    [Theory]
    [InlineData("/api/v3/entries?sgv$eq=1e400")]
    [InlineData("/api/v3/entries?sgv$gt=NaN")]
    [InlineData("/api/v3/entries?sgv$gt=Infinity")]
    [InlineData("/api/v3/entries?sgv$in=1|1e400")]
    [InlineData("/api/v3/entries?date$gt=1e400")]
    [InlineData("/api/v3/entries?date$gt=-1e300")]
    [InlineData("/api/v3/entries?srvModified$gte=Infinity")]
    [InlineData("/api/v3/entries/history/1e400")]
    [InlineData("/api/v3/entries?sort=a%5C")]
    [InlineData("/api/v3/entries?sort$desc=a'b")]
    [InlineData("/api/v3/entries?sort=a%22b")]
    [InlineData("/api/v1/entries?find[sgv][$gt]=99999999999999999999999999999999")]
    [InlineData("/api/v1/entries?find[date][$gte]=1e400")]
    [InlineData("/api/v1/entries?find[date][$gte]=-1e300")]
    [InlineData("/api/v1/treatments?find[created_at][$gte]=1e400")]
    [InlineData("/api/v1/treatments?find[insulin][$gt]=99999999999999999999999999999999")]
    [InlineData("/api/v2/ddata/at/1e400")]
    [InlineData("/api/v2/ddata/at/0001-01-01T00:00:00Z")]
    public async Task NumbersAndNamesThatCompareWithNothingAreRefused(string pathAndQuery)
    {
        var (site, secret, jwt) = await SiteAsync();
        var v3 = pathAndQuery.StartsWith("/api/v3", StringComparison.Ordinal);
        var (status, text, _) = await RawRequests.SendAsync(api, site, HttpMethod.Get, pathAndQuery, null, v3 ? null : secret, v3 ? jwt : null);
        Assert.True(status == 400, $"{pathAndQuery}: {status} {text}");
    }

    [Theory]
    [InlineData("/api/v1/entries", "{\"type\":\"sgv\",\"sgv\":100,\"date\":1e300}")]
    [InlineData("/api/v1/entries", "{\"type\":\"sgv\",\"sgv\":100,\"date\":-1e300}")]
    [InlineData("/api/v1/entries", "{\"type\":\"sgv\",\"sgv\":100,\"dateString\":\"9999-12-31T23:59:59Z\"}")]
    [InlineData("/api/v1/entries", "{\"type\":\"sgv\",\"sgv\":100,\"dateString\":\"0001-01-01T00:00:00+14:00\"}")]
    [InlineData("/api/v1/treatments", "{\"eventType\":\"Note\",\"created_at\":1e300}")]
    [InlineData("/api/v1/treatments", "{\"eventType\":\"Note\",\"created_at\":-8.7e15}")]
    [InlineData("/api/v1/treatments", "{\"eventType\":\"Meal Bolus\",\"carbs\":10,\"preBolus\":1e300}")]
    [InlineData("/api/v1/devicestatus", "{\"device\":\"x\",\"created_at\":\"0001-01-01T00:00:00Z\"}")]
    [InlineData("/api/v3/treatments", "{\"date\":1e300,\"app\":\"t\",\"eventType\":\"Note\"}")]
    [InlineData("/api/v3/treatments", "{\"date\":-1e300,\"app\":\"t\",\"eventType\":\"Note\"}")]
    [InlineData("/api/v3/treatments", "{\"date\":-9e12,\"app\":\"t\",\"eventType\":\"Note\"}")]
    [InlineData("/api/v3/entries", "{\"date\":\"+010000-01-01T00:00:00Z\",\"app\":\"t\"}")]
    [InlineData("/api/v3/entries", "{\"date\":8.64e15,\"app\":\"t\"}")]
    public async Task DatesAtTheLimitsAreRefused(string path, string body)
    {
        var (site, secret, jwt) = await SiteAsync();
        var before = await SiteRows.CountAsync(site);
        var v3 = path.StartsWith("/api/v3", StringComparison.Ordinal);
        var (status, text, _) = await RawRequests.SendAsync(api, site, HttpMethod.Post, path, RawRequests.Utf8(body), v3 ? null : secret, v3 ? jwt : null);
        Assert.True(status == 400, $"{path} {body}: {status} {text}");
        Assert.Equal(before, await SiteRows.CountAsync(site));
    }

    [Theory]
    [InlineData("{\"name\":\"a\\u0000b\",\"roles\":[\"readable\"]}")]
    [InlineData("{\"name\":\"\\ud800\",\"roles\":[\"readable\"]}")]
    [InlineData("{\"name\":\"ok\",\"roles\":[\"read\\u0000able\"]}")]
    [InlineData("{\"name\":\"ok\",\"roles\":[\"readable\"],\"notes\":\"\\udc00x\"}")]
    [InlineData("{\"name\":[],\"roles\":[\"readable\"]}")]
    public async Task SubjectsWithUnstorableTextAreRefused(string body)
    {
        var (site, secret, _) = await SiteAsync();
        var before = await SiteRows.CountAsync(site);
        var (status, text, _) = await RawRequests.SendAsync(api, site, HttpMethod.Post, "/api/v2/authorization/subjects", RawRequests.Utf8(body), secret);
        Assert.True(status == 400, $"{status} {text}");
        Assert.Equal(before, await SiteRows.CountAsync(site));
    }
}
