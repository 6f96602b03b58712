using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.StateSpans;
using Nocturne.Grains.Storage;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.StateSpans;

/// <summary>Bad input, manual spans, permissions, history derived on first activation and spans across grain reloads.</summary>
public sealed class StateSpanApiTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    [Theory]
    [InlineData("/api/v4/state-spans?category=Bogus")]
    [InlineData("/api/v4/state-spans?from=20&to=10")]
    [InlineData("/api/v4/state-spans?from=yesterday")]
    [InlineData("/api/v4/state-spans?to=1e12")]
    [InlineData("/api/v4/state-spans?count=-1")]
    [InlineData("/api/v4/state-spans?active=maybe")]
    [InlineData("/api/v4/state-spans?category=TempBasal&state=Sleeping")]
    [InlineData("/api/v4/state-spans/profiles?category=TempBasal")]
    [InlineData("/api/v4/state-spans/at/noon")]
    [InlineData("/api/v4/chart-data?from=abc")]
    [InlineData("/api/v4/chart-data?from=2000&to=1000")]
    [InlineData("/api/v4/chart-data?from=0&to=604800000")]
    public async Task BadQueriesAreA400InNightscoutShape(string path)
    {
        var (site, secret) = await api.CreateSiteAsync("bad");
        var (status, body) = await api.SendAsAdminAsync(site, secret, HttpMethod.Get, path);
        Assert.Equal(400, status);
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task ManualSpansAreWrittenOnlyInTheirCategoriesAndDerivedOnesRefuseEdits()
    {
        var (site, secret) = await api.CreateSiteAsync("manual");
        var start = DateTimeOffset.UtcNow.AddDays(-3).ToUnixTimeMilliseconds();
        // A manual span in a derived category, a backwards span and a missing start store nothing.
        foreach (var bad in new object[]
        {
            new { category = "TempBasal", startMills = start, endMills = start + 60_000 },
            new { category = "Sleep", startMills = start, endMills = start - 1 },
            new { category = "Travel" },
            new { category = "Sleep", state = "Dreaming", startMills = start },
        })
        {
            var (status, body) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/state-spans", bad);
            Assert.Equal(400, status);
            Assert.Equal(400, body.GetProperty("status").GetInt32());
        }

        Assert.Equal(0, (await api.GetOkAsync(site, secret, "/api/v4/state-spans")).GetArrayLength());

        var (created, sleep) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/state-spans",
            new { category = "Sleep", startMills = start, endMills = start + 8 * 3_600_000, metadata = new { quality = "good" } });
        Assert.Equal(201, created);
        var id = sleep.GetProperty("id").GetString();
        Assert.True(sleep.GetProperty("manual").GetBoolean());
        // Annotated categories may overlap: a second Sleep span inside the first stays as given.
        Assert.Equal(201, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/state-spans",
            new { category = "Sleep", startMills = start + 3_600_000, endMills = start + 2 * 3_600_000 })).Status);
        Assert.Equal(2, (await api.GetOkAsync(site, secret, "/api/v4/state-spans/sleep")).GetArrayLength());

        var (updated, changed) = await api.SendAsAdminAsync(site, secret, HttpMethod.Put, $"/api/v4/state-spans/{id}",
            new { startMills = start, endMills = start + 7 * 3_600_000, metadata = new { quality = "poor" } });
        Assert.Equal(200, updated);
        Assert.Equal(start + 7 * 3_600_000, changed.GetProperty("endMills").GetInt64());
        Assert.Equal("poor", (await api.GetOkAsync(site, secret, $"/api/v4/state-spans/{id}")).GetProperty("metadata").GetProperty("quality").GetString());

        // A manual override is exclusive with derived ones: a Loop override later ends it.
        var (_, manualOverride) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v4/state-spans",
            new { category = "Override", startMills = start, metadata = new { reason = "manual" } });
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments",
            new { eventType = "Temporary Override", created_at = DateTimeOffset.FromUnixTimeMilliseconds(start + 600_000).ToString("o"), duration = 30, reason = "Loop", enteredBy = "Loop" })).Status);
        var overrides = (await api.GetOkAsync(site, secret, "/api/v4/state-spans/overrides")).EnumerateArray().OrderBy(s => s.GetProperty("startMills").GetInt64()).ToList();
        Assert.Equal(2, overrides.Count);
        Assert.Equal(manualOverride.GetProperty("id").GetString(), overrides[0].GetProperty("id").GetString());
        Assert.Equal(start + 600_000, overrides[0].GetProperty("endMills").GetInt64());

        // The derived one refuses PUT and DELETE: edit the treatment instead.
        var derivedId = overrides[1].GetProperty("id").GetString();
        Assert.Equal(400, (await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v4/state-spans/{derivedId}")).Status);
        Assert.Equal(400, (await api.SendAsAdminAsync(site, secret, HttpMethod.Put, $"/api/v4/state-spans/{derivedId}", new { startMills = start })).Status);
        Assert.Equal(404, (await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, "/api/v4/state-spans/no-such-span")).Status);

        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v4/state-spans/{id}")).Status);
        Assert.Equal(404, (await api.SendAsAdminAsync(site, secret, HttpMethod.Get, $"/api/v4/state-spans/{id}")).Status);
    }

    [Fact]
    public async Task ReadingNeedsStateSpansOrTreatmentsReadAndWritingNeedsCreate()
    {
        var (site, secret) = await api.CreateSiteAsync("perm", new { authDefaultRoles = new[] { "denied" } });
        foreach (var (name, permission) in new[] { ("spans-reader", "api:statespans:read"), ("treatment-reader", "api:treatments:read"), ("cgm-only", "api:entries:read") })
        {
            Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v2/authorization/roles", new { name, permissions = new[] { permission } })).Status);
        }

        async Task<int> Get(string role, string path)
        {
            var token = await api.CreateSubjectAsync(site, secret, role + "-subject", role);
            return (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, path + "?token=" + token))).Status;
        }

        Assert.Equal(200, await Get("spans-reader", "/api/v4/state-spans"));
        Assert.Equal(200, await Get("treatment-reader", "/api/v4/state-spans/temp-basals"));
        Assert.Equal(401, await Get("cgm-only", "/api/v4/state-spans"));
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v4/state-spans"))).Status);

        var readable = await api.CreateSubjectAsync(site, secret, "follower", "readable");
        var (status, _) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v4/state-spans?token=" + readable, null,
            new { category = "Sleep", startMills = 1_700_000_000_000 }));
        Assert.Equal(401, status);
    }

    [Fact]
    public async Task HistoryStoredBeforeSpansExistedIsDerivedOnFirstReadAndSpansSurviveReloads()
    {
        var (site, secret) = await api.CreateSiteAsync("history");
        // Treatments written straight into the table, as a migrated site's years of history are: no change hook ran.
        var postgres = new PostgresConnection(api.Factory.Postgres);
        await using var commits = new DocumentCommitQueue(postgres, Microsoft.Extensions.Logging.Abstractions.NullLogger<DocumentCommitQueue>.Instance);
        var store = new DocumentStore(postgres, commits);
        var start = DateTimeOffset.UtcNow.AddDays(-400).ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var rows = Enumerable.Range(0, 500).Select(i =>
        {
            var at = start + (i * 3_600_000L);
            var id = ObjectIds.New(DateTimeOffset.FromUnixTimeMilliseconds(at));
            var doc = new System.Text.Json.Nodes.JsonObject
            {
                ["eventType"] = "Temp Basal", ["created_at"] = DocumentTime.Iso(at), ["absolute"] = 0.1 * (i % 20), ["duration"] = 30, ["enteredBy"] = "migrated",
            };
            return new StoredDocument(id, id, at, "Temp Basal", at, at, true, doc);
        }).ToList();
        await store.SaveAsync(Collection.Treatments, site, rows, []);

        var spans = await api.GetOkAsync(site, secret, "/api/v4/state-spans/temp-basals?count=1000");
        Assert.Equal(500, spans.GetArrayLength());
        Assert.All(spans.EnumerateArray(), s => Assert.Equal(s.GetProperty("startMills").GetInt64() + 1_800_000, s.GetProperty("endMills").GetInt64()));

        // A range in the middle of the history: spans overlapping it.
        var from = start + (100 * 3_600_000L) + 600_000;
        var inRange = await api.GetOkAsync(site, secret, $"/api/v4/state-spans?category=TempBasal&from={from}&to={from + 2 * 3_600_000L}");
        Assert.Equal(3, inRange.GetArrayLength());

        var grains = api.Factory.Services.GetRequiredService<IGrainFactory>();
        await GrainReload.DeactivateAsync(grains, grains.GetGrain<IStateSpanGrain>(StateSpanCategories.GrainKey(site, StateSpanCategory.TempBasal)));
        await GrainReload.ReloadSiteAsync(api, site);
        // After the reload, a new temp still cuts the last one, and nothing was derived twice.
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments",
            new { eventType = "Temp Basal", created_at = DocumentTime.Iso(start + (499 * 3_600_000L) + 600_000), absolute = 3.0, duration = 30, enteredBy = "after" })).Status);
        var after = (await api.GetOkAsync(site, secret, "/api/v4/state-spans/temp-basals?count=1000")).EnumerateArray().OrderBy(s => s.GetProperty("startMills").GetInt64()).ToList();
        Assert.Equal(501, after.Count);
        Assert.Equal(start + (499 * 3_600_000L) + 600_000, after[^2].GetProperty("endMills").GetInt64());
    }
}
