using System.Net;
using System.Text;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V1;

/// <summary>The v1 entries API against a real site: uploads, dedup, queries, formats, deletes.</summary>
public sealed class EntriesApiTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static object Sgv(long date, int sgv, string direction = "Flat", string device = "xDrip-DexcomG6") =>
        new { type = "sgv", date, dateString = DateTimeOffset.FromUnixTimeMilliseconds(date).ToString("o"), sgv, direction, device };

    private async Task<(string Site, string Secret)> SiteWithEntriesAsync(int count, long step = 300_000)
    {
        var (site, secret) = await api.CreateSiteAsync("entries");
        var docs = Enumerable.Range(0, count).Select(i => Sgv(Now - (i * step), 100 + i)).ToArray();
        var (status, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret), docs));
        Assert.Equal(200, status);
        return (site, secret);
    }

    [Fact]
    public async Task PostAcceptsOneObjectOrAnArrayAndAnswersInInputOrderWithIds()
    {
        var (site, secret) = await api.CreateSiteAsync("post");
        var (status, single) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret), Sgv(Now, 123)));
        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.Array, single.ValueKind);
        Assert.Matches("^[0-9a-f]{24}$", single[0].GetProperty("_id").GetString());
        Assert.Equal(123, single[0].GetProperty("sgv").GetInt32());
        Assert.EndsWith("Z", single[0].GetProperty("dateString").GetString(), StringComparison.Ordinal);

        var (_, many) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret),
            new[] { Sgv(Now - 600_000, 90), Sgv(Now - 300_000, 95) }));
        Assert.Equal([90, 95], many.EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()));

        var (_, empty) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret), Array.Empty<object>()));
        Assert.Equal(0, empty.GetArrayLength());
    }

    [Fact]
    public async Task TheUploadAnswerIsEachDocumentAsStoredWithItsIdLast()
    {
        // The answer is built from the same text as the stored row: it must read as the documents
        // do (text that needs escaping, a client's _id, a UUID id, a duplicate without _id) and be
        // the compact JSON a parse and re-serialisation gives, with _id after the fields.
        var (site, secret) = await api.CreateSiteAsync("answer");
        var objectId = "5f1a2b3c4d5e6f7a8b9c0d1e";
        var uuid = Guid.NewGuid().ToString();
        var body = "[{\"type\":\"sgv\",\"date\":" + Now + ",\"sgv\":101,\"device\":\"G6 & \\\"x\\\" é \\u00e9 \\n\",\"n\":1.50},"
            + "{\"_id\":\"" + objectId + "\",\"type\":\"sgv\",\"date\":" + (Now - 300_000) + ",\"sgv\":102},"
            + "{\"_id\":\"" + uuid + "\",\"type\":\"sgv\",\"date\":" + (Now - 600_000) + ",\"sgv\":103},"
            + "{\"type\":\"sgv\",\"date\":" + Now + ",\"sgv\":101}]";
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret));
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();

        var answer = System.Text.Json.Nodes.JsonNode.Parse(text)!.AsArray();
        Assert.Equal(text, answer.ToJsonString());
        Assert.Equal(4, answer.Count);
        var first = answer[0]!.AsObject();
        Assert.Equal("G6 & \"x\" é é \n", (string?)first["device"]);
        Assert.Equal(objectId, (string?)answer[1]!["_id"]);
        Assert.Equal(uuid, (string?)answer[2]!["identifier"]);
        Assert.Null(answer[3]!["_id"]);
        foreach (var item in answer.Take(3))
        {
            Assert.Equal("_id", item!.AsObject().Last().Key);
        }

        // Each answered document is what a read of it gives back (the stored row), field for field
        // (the duplicate carries the same reading, so the first stays as it was answered).
        for (var i = 0; i < 3; i++)
        {
            var item = answer[i]!.AsObject();
            var stored = System.Text.Json.Nodes.JsonNode.Parse((await api.GetOkAsync(site, secret, $"/api/v1/entries/{(string?)item["_id"]}.json")).GetRawText())!.AsArray().Single()!.AsObject();
            foreach (var (key, value) in item)
            {
                Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(value, stored[key]), $"{key}: {value?.ToJsonString()} vs {stored[key]?.ToJsonString()}");
            }
        }
    }

    [Fact]
    public async Task TheSameDateAndTypeUpdatesInsteadOfDuplicating()
    {
        var (site, secret) = await api.CreateSiteAsync("dedup");
        await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret), Sgv(Now, 120)));
        var (_, again) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret),
            new[] { Sgv(Now, 121, "FortyFiveUp"), Sgv(Now, 121, "FortyFiveUp") }));
        // Duplicates are reported without _id, as the reference does.
        Assert.All(again.EnumerateArray(), e => Assert.False(e.TryGetProperty("_id", out _)));

        var (_, list) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=50");
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal(121, list[0].GetProperty("sgv").GetInt32());
        Assert.Equal("FortyFiveUp", list[0].GetProperty("direction").GetString());

        // Another type at the same time is another entry.
        await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret), new { type = "mbg", date = Now, mbg = 118 }));
        Assert.Equal(2, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=50")).Body.GetArrayLength());
    }

    [Fact]
    public async Task AUuidIdBecomesTheIdentifier()
    {
        var (site, secret) = await api.CreateSiteAsync("uuid");
        var uuid = Guid.NewGuid().ToString();
        var (_, posted) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret),
            new { _id = uuid, type = "sgv", date = Now, sgv = 140 }));
        Assert.Equal(uuid, posted[0].GetProperty("identifier").GetString());
        Assert.Matches("^[0-9a-f]{24}$", posted[0].GetProperty("_id").GetString());
    }

    [Fact]
    public async Task GetDefaultsToTenNewestFirstAndCountChangesIt()
    {
        var (site, secret) = await SiteWithEntriesAsync(15);
        var (_, list) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json");
        Assert.Equal(10, list.GetArrayLength());
        var dates = list.EnumerateArray().Select(e => e.GetProperty("date").GetInt64()).ToList();
        Assert.Equal(dates.OrderDescending(), dates);
        Assert.Equal(Now, dates[0]);
        Assert.Equal(12, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=12")).Body.GetArrayLength());
        Assert.Equal(15, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v2/entries.json?count=100")).Body.GetArrayLength());
        Assert.Equal(3, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries/sgv.json?count=3")).Body.GetArrayLength());
        Assert.Equal(0, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries/mbg.json")).Body.GetArrayLength());
    }

    [Fact]
    public async Task FindOperatorsFilterLikeTheReference()
    {
        var (site, secret) = await SiteWithEntriesAsync(12);
        async Task<List<int>> Sgvs(string query) =>
            (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=100&" + query)).Body.EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()).ToList();

        Assert.Equal([111, 110, 109, 108, 107, 106, 105], (await Sgvs("find[sgv][$gte]=105")).OrderDescending());
        Assert.Equal([101, 100], (await Sgvs("find[sgv][$lt]=102")).OrderDescending());
        Assert.Equal([104], await Sgvs("find[sgv]=104"));
        Assert.Equal([104], await Sgvs("find[sgv][$eq]=104"));
        Assert.Equal(11, (await Sgvs("find[sgv][$ne]=104")).Count);
        Assert.Equal([106, 103], (await Sgvs("find[sgv][$in][]=103&find[sgv][$in][]=106")).OrderDescending());
        Assert.Equal(10, (await Sgvs("find[sgv][$nin][]=103&find[sgv][$nin][]=106")).Count);
        Assert.Equal([101, 100], (await Sgvs($"find[date][$gt]={Now - 300_001}")).OrderDescending());
        Assert.Equal([100], await Sgvs($"find[dateString][$gte]={Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(Now).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff") + "Z")}"));
        Assert.Equal(12, (await Sgvs("find[type]=sgv")).Count);
        Assert.Equal(12, (await Sgvs("find[direction][$exists]=true")).Count);
        Assert.Empty(await Sgvs("find[noSuchField][$exists]=true"));
        Assert.Equal(12, (await Sgvs("find[device][$regex]=Dexcom")).Count);
        Assert.Equal([100], await Sgvs("find[sgv][$lte]=100&find[sgv][$gte]=100"));

        var (status, error) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?find[sgv][$where]=1");
        Assert.Equal(400, status);
        Assert.Contains("$where", error.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutATimeConditionOnlyTheLastFourDaysAreSearched()
    {
        var (site, secret) = await api.CreateSiteAsync("window");
        var old = Now - TimeSpan.FromDays(5).Ticks / TimeSpan.TicksPerMillisecond;
        await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret), new[] { Sgv(Now, 100), Sgv(old, 200) }));
        Assert.Equal(1, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=100&find[sgv][$gte]=0")).Body.GetArrayLength());
        Assert.Equal(2, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, $"/api/v1/entries.json?count=100&find[date][$gte]={old - 1}")).Body.GetArrayLength());
    }

    [Fact]
    public async Task CurrentIsTheNewestEntryAsAnArray()
    {
        var (site, secret) = await SiteWithEntriesAsync(3);
        var (_, current) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries/current.json");
        Assert.Equal(1, current.GetArrayLength());
        Assert.Equal(Now, current[0].GetProperty("date").GetInt64());

        var (empty, _) = await api.CreateSiteAsync("nocurrent");
        var (_, none) = await api.SendAsync(MultiSiteApi.SiteRequest(empty, HttpMethod.Get, "/api/v1/entries/current"));
        Assert.Equal(0, none.GetArrayLength());
    }

    [Fact]
    public async Task AnEntryIsReadableByItsId()
    {
        var (site, secret) = await api.CreateSiteAsync("byid");
        var (_, posted) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret), Sgv(Now, 155)));
        var id = posted[0].GetProperty("_id").GetString();
        var (_, found) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, $"/api/v1/entries/{id}");
        Assert.Equal(155, found[0].GetProperty("sgv").GetInt32());
        Assert.Equal(0, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries/0123456789abcdef01234567")).Body.GetArrayLength());
    }

    [Theory]
    [InlineData("csv", ",", "text/csv")]
    [InlineData("tsv", "\t", "text/tab-separated-values")]
    [InlineData("txt", "\t", "text/plain")]
    public async Task TextFormatsHaveTheReferenceColumns(string format, string separator, string mediaType)
    {
        var (site, secret) = await SiteWithEntriesAsync(2);
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, $"/api/v1/entries.{format}", MultiSiteApi.Sha1(secret));
        using var response = await api.Client.SendAsync(request);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        // Lines joined with CRLF: no line break after the last one, as the reference writes it.
        Assert.False(text.EndsWith('\n'));
        var lines = text.Split("\r\n");
        Assert.Equal(2, lines.Length);
        var expectedDate = DateTimeOffset.FromUnixTimeMilliseconds(Now).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff") + "Z";
        Assert.Equal($"\"{expectedDate}\"{separator}{Now}{separator}100{separator}\"Flat\"{separator}\"xDrip-DexcomG6\"", lines[0]);
    }

    [Fact]
    public async Task LastModifiedAndIfModifiedSinceGive304()
    {
        var (site, secret) = await SiteWithEntriesAsync(2);
        using var first = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json", MultiSiteApi.Sha1(secret));
        using var response = await api.Client.SendAsync(first);
        var lastModified = response.Content.Headers.LastModified;
        Assert.NotNull(lastModified);
        using var again = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json", MultiSiteApi.Sha1(secret));
        again.Headers.IfModifiedSince = lastModified;
        using var notModified = await api.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task DeleteRemovesWhatTheQuerySelects()
    {
        var (site, secret) = await SiteWithEntriesAsync(6);
        var (status, result) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, "/api/v1/entries/sgv?find[sgv][$gte]=103", MultiSiteApi.Sha1(secret)));
        Assert.Equal(200, status);
        Assert.True(result.GetProperty("acknowledged").GetBoolean());
        Assert.Equal(3, result.GetProperty("deletedCount").GetInt32());
        var (_, left) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=100");
        Assert.Equal([102, 101, 100], left.EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()).OrderDescending());

        Assert.Equal(1, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, $"/api/v1/entries/{left[0].GetProperty("_id").GetString()}", MultiSiteApi.Sha1(secret)))).Body.GetProperty("deletedCount").GetInt32());
        Assert.Equal(2, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, "/api/v1/entries/*", MultiSiteApi.Sha1(secret)))).Body.GetProperty("deletedCount").GetInt32());
        Assert.Equal(0, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json")).Body.GetArrayLength());
    }

    [Theory]
    [InlineData("{\"type\":\"sgv\",", "Malformed JSON")]
    [InlineData("[{\"type\":\"sgv\",\"date\":1795369792253,\"sgv\":120},{\"type\":\"sgv\",\"dateString\":\"yesterday-ish\",\"sgv\":99}]", "dateString")]
    [InlineData("[{\"type\":\"sgv\",\"date\":1795369792253,\"sgv\":120},{\"type\":\"sgv\",\"date\":123,\"sgv\":99}]", "2000")]
    [InlineData("[{\"type\":\"sgv\",\"date\":1795369792253,\"sgv\":\"high\"}]", "sgv")]
    [InlineData("[42]", "not a JSON object")]
    [InlineData("\"just a string\"", "JSON object")]
    public async Task BadUploadsAreRefusedAndStoreNothing(string body, string needle)
    {
        var (site, secret) = await api.CreateSiteAsync("bad");
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret));
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var (status, error) = await api.SendAsync(request);
        Assert.Equal(400, status);
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        var description = error.TryGetProperty("description", out var d) ? d.GetString() : "";
        Assert.Contains(needle, error.GetProperty("message").GetString() + " " + description, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, $"/api/v1/entries.json?find[date][$gte]=0")).Body.GetArrayLength());
    }

    [Fact]
    public async Task BodiesOverTheLimitGet413()
    {
        var (site, secret) = await api.CreateSiteAsync("big");
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret));
        request.Content = new StringContent("[" + new string(' ', 51 * 1024 * 1024) + "]", Encoding.UTF8, "application/json");
        var (status, error) = await api.SendAsync(request);
        Assert.Equal(413, status);
        Assert.Equal(413, error.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task UploadsAreDurableAcrossAGrainReload()
    {
        var (site, secret) = await SiteWithEntriesAsync(5);
        await GrainReload.ReloadSiteAsync(api, site);
        var (_, list) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=5");
        Assert.Equal([104, 103, 102, 101, 100], list.EnumerateArray().Select(e => e.GetProperty("sgv").GetInt32()).OrderDescending());
    }

    [Fact]
    public async Task WritingNeedsTheCreatePermission()
    {
        var (site, secret) = await api.CreateSiteAsync("perm");
        var reader = await api.CreateSubjectAsync(site, secret, "follower", "readable");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/t/{site}/api/v1/entries?token={reader}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(Sgv(Now, 100)),
        };
        Assert.Equal(401, (await api.SendAsync(request)).Status);
        Assert.Equal(0, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json")).Body.GetArrayLength());
    }
}
