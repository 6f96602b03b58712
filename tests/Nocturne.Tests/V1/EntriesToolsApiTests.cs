using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V1;

public sealed class EntriesToolsApiTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    // Fixed days two days ago, so that dateString patterns are predictable.
    private static readonly DateTime Day = DateTime.UtcNow.Date.AddDays(-2);

    private async Task<(string Site, string Secret)> SiteAsync()
    {
        var (site, secret) = await api.CreateSiteAsync("tools");
        var docs = new List<object>();
        foreach (var hour in new[] { 8, 13, 14, 20 })
        {
            var time = new DateTimeOffset(Day.AddHours(hour), TimeSpan.Zero);
            docs.Add(new { type = "sgv", date = time.ToUnixTimeMilliseconds(), dateString = time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), sgv = 100 + hour, direction = "Flat" });
        }

        docs.Add(new { type = "mbg", date = new DateTimeOffset(Day.AddHours(13.5), TimeSpan.Zero).ToUnixTimeMilliseconds(), mbg = 120 });
        var (status, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret), docs));
        Assert.Equal(200, status);
        return (site, secret);
    }

    [Fact]
    public async Task CountWhereCountsWhatTheQuerySelects()
    {
        var (site, secret) = await SiteAsync();
        var counted = await api.GetOkAsync(site, secret, "/api/v1/count/entries/where?find[type]=sgv");
        Assert.Equal(4, counted[0].GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, counted[0].GetProperty("_id").ValueKind);
        Assert.Equal(0, (await api.GetOkAsync(site, secret, "/api/v1/count/entries/where?find[type]=cal")).GetArrayLength());
        Assert.Equal(404, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/count/nonsense/where", MultiSiteApi.Sha1(secret)))).Status);
    }

    [Fact]
    public async Task EchoShowsTheQueryItWouldRun()
    {
        var (site, secret) = await SiteAsync();
        var echo = await api.GetOkAsync(site, secret, "/api/v1/echo/entries/sgv.json?count=3&find[sgv][$gte]=100");
        // The extension is stripped before routing, as in the reference: the model is sgv.
        Assert.Equal("sgv", echo.GetProperty("params").GetProperty("model").GetString());
        Assert.Equal("entries", echo.GetProperty("storage").GetString());
        Assert.Equal(100, echo.GetProperty("query").GetProperty("sgv").GetProperty("$gte").GetInt32());
        Assert.True(echo.GetProperty("query").GetProperty("date").TryGetProperty("$gte", out _));
        Assert.Equal("3", echo.GetProperty("input").GetProperty("count").GetString());
    }

    [Fact]
    public async Task TimesExpandsBracesIntoDateStringPatterns()
    {
        var (site, secret) = await SiteAsync();
        var day = Day.ToString("yyyy-MM-dd");
        var afternoon = await api.GetOkAsync(site, secret, $"/api/v1/times/{day}/T{{13..14}}.json?count=10");
        // No type filter: the meter reading at 13:30 is in the slice too.
        Assert.Equal(["sgv", "mbg", "sgv"], afternoon.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([114, 113], afternoon.EnumerateArray().Where(e => e.TryGetProperty("sgv", out _)).Select(e => e.GetProperty("sgv").GetInt32()));

        var pattern = await api.GetOkAsync(site, secret, $"/api/v1/times/echo/{day}/T{{13,14}}");
        Assert.Equal(2, pattern.GetProperty("pattern").GetArrayLength());
    }

    [Fact]
    public async Task BadToolQueriesAreRefusedWithAReason()
    {
        var (site, secret) = await api.CreateSiteAsync("toolsbad");
        foreach (var path in new[] { "/api/v1/times/{0..99}/{0..99}", "/api/v1/count/entries/where?find[sgv][$where]=1", "/api/v1/echo/entries?find[bad name]=1" })
        {
            var (status, error) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, path);
            Assert.Equal(400, status);
            Assert.Equal(400, error.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("description").GetString()));
        }
    }

    [Fact]
    public async Task SliceFiltersByFieldTypeAndPattern()
    {
        var (site, secret) = await SiteAsync();
        var day = Day.ToString("yyyy-MM-dd");
        var sgvs = await api.GetOkAsync(site, secret, $"/api/v1/slice/entries/dateString/sgv/{day}T{{08,20}}.json?count=10");
        Assert.Equal([120, 108], sgvs.EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()));
        var all = await api.GetOkAsync(site, secret, $"/api/v1/slice/entries/dateString/*/{day}.json?count=10");
        Assert.Equal(5, all.GetArrayLength());
    }
}
