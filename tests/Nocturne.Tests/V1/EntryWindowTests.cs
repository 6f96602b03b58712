using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V1;

/// <summary>
/// The patient grain's entry window serves the reads followers repeat (count=288, current) from
/// memory: it keeps the last day and at least a few hundred readings, recovers after an overflow,
/// and answers exactly what PostgreSQL answers (same entries, same order, same bytes).
/// </summary>
public sealed class EntryWindowTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static readonly int[] Counts = [1, 2, 10, 287, 288, 289, 300, 399, 400, 401, 402, 450, 599, 600, 601, 700];

    private IPatientGrain Grain(string site) => api.Factory.Services.GetRequiredService<IGrainFactory>().Site(site).Documents;

    [Fact]
    public async Task CommonCountsAreServedFromMemoryAfterTheDaysOldestReadingAgedOutAndMatchPostgres()
    {
        var (site, secret) = await api.CreateSiteAsync("wincount");
        var now = DateTimeOffset.UtcNow;
        // 600 readings five minutes apart (50 hours), and a meter reading sharing the date of some, so ties must order as PostgreSQL orders them.
        var readings = Enumerable.Range(0, 600).Select(k => (object)new { type = "sgv", date = now.AddMinutes(-1 - (5 * k)).ToUnixTimeMilliseconds(), sgv = 80 + (k % 150), device = "cgm" })
            .Concat(new[] { 0, 287, 288, 399, 400, 401 }.Select(k => (object)new { type = "mbg", date = now.AddMinutes(-1 - (5 * k)).ToUnixTimeMilliseconds(), mbg = 100 + k, device = "meter" }))
            .ToArray();
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", readings)).Status);

        // 288 readings a day: a day-only window could not give 300 (or 288 once the oldest of the day ages out).
        Assert.NotNull(await Grain(site).GetRecentEntriesAsync(300, null));
        Assert.NotNull(await Grain(site).GetRecentEntriesAsync(300, "sgv"));
        await AssertSameAsPostgresAsync(site, secret);

        // Loaded afresh from PostgreSQL, the window answers the same.
        await GrainReload.ReloadSiteAsync(api, site);
        Assert.NotNull(await Grain(site).GetRecentEntriesAsync(300, null));
        await AssertSameAsPostgresAsync(site, secret);
    }

    [Fact]
    public async Task ASiteWithFewOrNoReadingsIsAnsweredAsFromPostgres()
    {
        var (site, secret) = await api.CreateSiteAsync("winfew");
        await AssertSameAsPostgresAsync(site, secret);

        var now = DateTimeOffset.UtcNow;
        // Three recent readings and one older than the default find's four days.
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[] { 1, 6, 11, 60 * 24 * 5 }
            .Select(minutes => new { type = "sgv", date = now.AddMinutes(-minutes).ToUnixTimeMilliseconds(), sgv = 100 + minutes, device = "cgm" }).ToArray())).Status);
        Assert.NotNull(await Grain(site).GetRecentEntriesAsync(3, null));
        await AssertSameAsPostgresAsync(site, secret);
    }

    [Fact]
    public async Task ASiteWhoseWindowOverflowedIsServedFromMemoryAgainOnceADeleteBringsItBack()
    {
        var (site, secret) = await api.CreateSiteAsync("winover");
        var now = DateTimeOffset.UtcNow;
        // 5,100 readings within the day: more than the window holds (a backfill or a misbehaving uploader).
        for (var batch = 0; batch < 6; batch++)
        {
            var entries = Enumerable.Range(batch * 850, 850)
                .Select(k => new { type = "sgv", date = now.AddSeconds(-30 - (15 * k)).ToUnixTimeMilliseconds(), sgv = 80 + (k % 150), device = "cgm" }).ToArray();
            Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", entries)).Status);
        }

        // Even overflowed, the newest readings are in memory.
        Assert.NotNull(await Grain(site).GetRecentEntriesAsync(288, null));

        // Back to the newest 288.
        var keepFrom = now.AddSeconds(-30 - (15 * 287)).ToUnixTimeMilliseconds();
        var (status, deleted) = await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v1/entries?find[date][$lt]={keepFrom}");
        Assert.Equal(200, status);
        Assert.Equal(5100 - 288, deleted.GetProperty("deletedCount").GetInt32());

        Assert.NotNull(await Grain(site).GetRecentEntriesAsync(288, null));
        Assert.NotNull(await Grain(site).GetRecentEntriesAsync(1, null));
        await AssertSameAsPostgresAsync(site, secret);
    }

    [Fact]
    public void PlainCgmReadingsStayCompactAndRenderAsTheirJson()
    {
        // What uploaders send every five minutes (xDrip+, a Dexcom bridge, a minimal uploader), as
        // a fresh write and as jsonb gives it back after a reload: each must stay a few bytes in the
        // window (not its JSON) and render byte for byte as that JSON.
        var date = new DateTimeOffset(2026, 11, 30, 1, 2, 3, 456, TimeSpan.Zero);
        var ms = date.ToUnixTimeMilliseconds();
        var iso = date.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var readings = new[]
        {
            $$"""{"device":"xDrip-DexcomG6","date":{{ms}},"dateString":"{{iso}}","sgv":120,"delta":-1.5,"direction":"Flat","type":"sgv","filtered":123456,"unfiltered":123789,"rssi":100,"noise":1,"sysTime":"{{iso}}","utcOffset":60}""",
            $$"""{"sgv":98,"date":{{ms}},"dateString":"{{iso}}","trend":4,"direction":"Flat","device":"share2","type":"sgv"}""",
            $$"""{"type":"sgv","date":{{ms}},"sgv":250,"direction":"DoubleUp","device":"bench"}""",
            $$"""{"date": {{ms}}, "sgv": 80, "type": "sgv", "device": "bench", "direction": "FortyFiveDown"}""",
            // Every value kind the compact layout has: null, booleans, negative and 64-bit integers,
            // a number equal to the date, shared and unshared strings (escaped, non-ASCII), fractions.
            $$"""{"type":"mbg","date":{{ms}},"mbg":-5,"big":9223372036854775807,"small":-9223372036854775808,"zero":0,"again":{{ms}},"ok":true,"off":false,"none":null,"device":"Meter \u00dcn\u00efc\u00f8d\u00e9 \ud83d\ude00","note":"a \"quoted\" <b>&</b>","frac":-0.5,"exp":1e5}""",
            $$"""{"type":"cal","date":{{ms}},"slope":850.5,"intercept":32000,"scale":1,"device":"dexcom","sysTime":"{{iso}}","utcOffset":-300}""",
            $$"""{"type":"sgv","date":{{ms}},"sgv":39,"noise":4,"direction":"NOT COMPUTABLE","device":"xDrip-LibreReceiver","unfiltered":0,"filtered":0,"rssi":-100,"dateString":"{{iso}}"}""",
        };
        var payload = new System.Buffers.ArrayBufferWriter<byte>();
        var rendered = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var json in readings)
        {
            var document = new Nocturne.Grains.Documents.StoredDocument("5f0c1a2b3c4d5e6f70819203", "5f0c1a2b3c4d5e6f70819203", ms, "sgv", ms, ms, true,
                (JsonObject)JsonNode.Parse(json)!);
            Nocturne.Grains.Documents.CompactEntry.Encode(document, payload, out var high, out var low);
            Assert.False(Nocturne.Grains.Documents.CompactEntry.IsJson(payload.WrittenSpan), $"kept as JSON: {json}");
            Assert.True(payload.WrittenCount <= 40 || json.Contains("\"mbg\"", StringComparison.Ordinal), $"{payload.WrittenCount} bytes for {json}");

            rendered.ResetWrittenCount();
            Nocturne.Grains.Documents.CompactEntry.Render(payload.WrittenSpan, ms, high, low, rendered);
            Assert.Equal(Nocturne.Grains.Documents.EntryShape.FillType(document.ToV1Json()).ToJsonString(), System.Text.Encoding.UTF8.GetString(rendered.WrittenSpan));
        }
    }

    [Fact]
    public async Task EntriesOfEveryShapeAreAnsweredFromMemoryAsPostgresAnswersThem()
    {
        var (site, secret) = await api.CreateSiteAsync("winodd");
        var now = DateTimeOffset.UtcNow;
        long At(int minutes) => now.AddMinutes(-minutes).ToUnixTimeMilliseconds();
        // Plain readings around entries the compact layout cannot take as they are: fractions and
        // exponents, numbers beyond 64 bits, nested objects and arrays, escaped and non-ASCII text,
        // long strings, nulls and booleans, no type, an unknown type, a UUID _id and an identifier.
        var entries = Enumerable.Range(0, 40).Select(k => (object)new { type = "sgv", date = At(5 * k + 1), sgv = 90 + k, direction = "Flat", device = "cgm", noise = 1 })
            .Concat(new object[]
            {
                new { type = "sgv", date = At(3), sgv = 120.5, filtered = 123456.789, unfiltered = 1e5, delta = -3.25, device = "xDrip-DexcomG6" },
                new { type = "sgv", date = At(8), sgv = 130, direction = "FortyFiveUp", device = "Dexcom G6 \u2013 \u00dcn\u00efc\u00f8d\u00e9 \ud83d\ude00 <b>&'\"", big = 12345678901234567890m },
                new { type = "sgv", date = At(13), sgv = 140, meta = new { a = new object?[] { 1, 2.5, new { b = (string?)null }, "x" }, ok = true, off = false }, device = new string('d', 100) },
                new { date = At(18), sgv = 150, direction = (string?)null, device = "cgm" },
                new { type = "cal", date = At(23), slope = 850.5, intercept = 32000, scale = 1, device = "cgm" },
                new { type = "mbg", date = At(28), mbg = 101, device = "meter", _id = "3d4c2b1a-0f9e-4d8c-b7a6-958473625140" },
                new { type = "weirdtype", date = At(33), sgv = 99, identifier = "abc-123", device = "cgm" },
                new { type = "sgv", date = At(38), sgv = 0, direction = "NONE", device = "", utcOffset = -300, sysTime = "not a date" },
            }).ToArray();
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", entries)).Status);

        Assert.NotNull(await Grain(site).GetRecentEntriesAsync(48, null));
        await AssertSameAsPostgresAsync(site, secret);
        foreach (var type in new[] { "mbg", "cal", "weirdtype" })
        {
            await AssertSameAsync(site, secret, $"/api/v1/entries.json?count=1&find[type]={Uri.EscapeDataString(type)}&find[date][$gte]={At(60 * 24 * 4)}",
                $"/api/v1/entries/{Uri.EscapeDataString(type)}.json?count=1");
        }

        // Loaded afresh from PostgreSQL (jsonb's key order), and after an update of an odd entry in place.
        await GrainReload.ReloadSiteAsync(api, site);
        await AssertSameAsPostgresAsync(site, secret);
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries",
            new[] { new { type = "weirdtype", date = At(33), sgv = 98.5, identifier = "abc-123", device = "cgm \u2603" } })).Status);
        await AssertSameAsPostgresAsync(site, secret);
        var (_, current) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, "/api/v1/entries.json?count=48");
        Assert.Contains(current.EnumerateArray(), e => e.TryGetProperty("sgv", out var sgv) && sgv.GetDouble() == 98.5);
    }

    [Fact]
    public async Task ConcurrentReadsOfSeveralSitesEachGetTheirOwnSiteAnswerWhateverTheFormat()
    {
        // Large answers that are not kept are rendered into arrays lent by a shared pool and given
        // back once written (or at once for a 304 or a text format): an array given back too early
        // would show one site's readings in another site's answer. Readings with long fields make a
        // few entries (below the counts the shared cache keeps) large enough to be lent.
        var now = DateTimeOffset.UtcNow;
        var since = now.AddDays(-4).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var sites = new List<(string Site, string Secret, string Device, Dictionary<int, string> Answers)>();
        for (var s = 0; s < 3; s++)
        {
            var (site, secret) = await api.CreateSiteAsync($"winlend{s}");
            var device = $"cgm-{s}-" + new string((char)('a' + s), 400);
            var readings = Enumerable.Range(0, 300)
                .Select(k => new { type = "sgv", date = now.AddMinutes(-1 - (5 * k)).ToUnixTimeMilliseconds(), sgv = 40 + (s * 100) + (k % 90), direction = "Flat", device }).ToArray();
            Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", readings)).Status);
            var answers = new Dictionary<int, string>();
            foreach (var count in new[] { 12, 15, 288 })
            {
                answers[count] = await TextAsync(site, secret, $"/api/v1/entries.json?count={count}");
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(await TextAsync(site, secret, $"/api/v1/entries.json?count={count}&find[date][$gte]={since}")), JsonNode.Parse(answers[count])));
            }

            Assert.True(System.Text.Encoding.UTF8.GetByteCount(answers[12]) > 4096, "a few entries should make an answer large enough to be lent");
            sites.Add((site, secret, device, answers));
        }

        var newest = DateTimeOffset.FromUnixTimeMilliseconds(now.AddMinutes(-1).ToUnixTimeMilliseconds());
        await Parallel.ForEachAsync(Enumerable.Range(0, 600), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (i, ct) =>
        {
            var (site, secret, device, answers) = sites[i % sites.Count];
            var count = (i / 3 % 3) switch { 0 => 12, 1 => 15, _ => 288 };
            using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, (i % 7) == 5 ? $"/api/v1/entries.tsv?count={count}" : $"/api/v1/entries.json?count={count}", MultiSiteApi.Sha1(secret));
            if (i % 7 == 6)
            {
                request.Headers.IfModifiedSince = newest;
            }

            using var response = await api.Client.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (i % 7 == 6)
            {
                Assert.Equal(304, (int)response.StatusCode);
            }
            else if (i % 7 == 5)
            {
                Assert.Equal(200, (int)response.StatusCode);
                var lines = body.Split("\r\n");
                Assert.Equal(count, lines.Length);
                Assert.All(lines, line => Assert.Equal(device, line.Split('\t')[4].Trim('"')));
            }
            else
            {
                Assert.Equal(200, (int)response.StatusCode);
                Assert.Equal(answers[count], body);
            }
        });
    }

    [Fact]
    public void AnAnswerInALentArrayCrossesSilosAsItsOwnBytesOnlyAndIsGivenBackOnce()
    {
        // The pool's array is larger than the answer and holds whatever it held before (another
        // site's answer): only the answer's bytes may travel to another silo, and the copy there
        // owns its bytes (nothing to give back).
        var serializer = api.Factory.Services.GetRequiredService<Orleans.Serialization.Serializer<Nocturne.Grains.Interfaces.Documents.RecentEntries>>();
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(8192);
        rented.AsSpan().Fill((byte)'x');
        var json = """[{"_id":"5f0c1a2b3c4d5e6f70819203","sgv":120}]"""u8.ToArray();
        json.CopyTo(rented, 0);
        var lent = Nocturne.Grains.Interfaces.Documents.RecentEntries.Lent(rented, json.Length, 42);

        var wire = serializer.SerializeToArray(lent);
        Assert.True(wire.Length < json.Length + 64, $"{wire.Length} bytes on the wire for an answer of {json.Length}");
        Assert.DoesNotContain(wire, b => b == (byte)'x');
        var copy = serializer.Deserialize(wire)!;
        Assert.Equal(json, copy.Utf8Json.ToArray());
        Assert.Equal(42, copy.NewestDate);
        Assert.False(copy.IsLent);

        Assert.True(lent.IsLent);
        lent.Release();
        lent.Release();
        Assert.False(lent.IsLent);
    }

    // The window answers a plain count; the same query with an explicit date goes to PostgreSQL.
    // (Key order may differ: jsonb stores keys in its own order, the window in the client's.)
    private async Task AssertSameAsPostgresAsync(string site, string secret)
    {
        var since = DateTimeOffset.UtcNow.AddDays(-4).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        foreach (var count in Counts)
        {
            await AssertSameAsync(site, secret, $"/api/v1/entries.json?count={count}&find[date][$gte]={since}", $"/api/v1/entries.json?count={count}");
            await AssertSameAsync(site, secret, $"/api/v1/entries.json?count={count}&find[type]=sgv&find[date][$gte]={since}", $"/api/v1/entries/sgv.json?count={count}");
        }

        await AssertSameAsync(site, secret, $"/api/v1/entries.json?count=1&find[date][$gte]={since}", "/api/v1/entries/current.json");
    }

    private async Task AssertSameAsync(string site, string secret, string fromPostgres, string fromWindow)
    {
        var expected = await TextAsync(site, secret, fromPostgres);
        var actual = await TextAsync(site, secret, fromWindow);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"{fromWindow} differs from {fromPostgres}:\n{actual}\n{expected}");
    }

    private async Task<string> TextAsync(string site, string secret, string path)
    {
        using var response = await api.Client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, path, MultiSiteApi.Sha1(secret)));
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
