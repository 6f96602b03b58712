using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V3;

/// <summary>
/// A v3 client (AAPS, xDrip+) polls /lastModified and only syncs a collection whose time moved:
/// every removal, v1 DELETE and v3 permanent delete included, must move it, and the moved time
/// must still be there after the site's grain reloads from PostgreSQL.
/// </summary>
public sealed class DeletionsMoveLastModifiedTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static async Task<long> LastModifiedAsync(V3Client client, string collection)
    {
        var (status, body, _) = await client.SendAsync(HttpMethod.Get, "/lastModified");
        Assert.Equal(200, status);
        return body.GetProperty("result").GetProperty("collections").GetProperty(collection).GetInt64();
    }

    [Fact]
    public async Task AV1DeleteMovesLastModifiedAndItStaysMovedAfterAReload()
    {
        var (client, site, secret) = await V3Client.CreateAsync(api);
        var (_, posted) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments",
            new { eventType = "Note", created_at = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("o"), notes = "to delete" });
        var id = posted[0].GetProperty("_id").GetString()!;
        var afterWrite = await LastModifiedAsync(client, "treatments");

        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v1/treatments/{id}")).Status);
        var afterDelete = await LastModifiedAsync(client, "treatments");
        Assert.True(afterDelete > afterWrite, $"lastModified stayed at {afterWrite} after a v1 DELETE");

        await GrainReload.ReloadSiteAsync(api, site);
        Assert.Equal(afterDelete, await LastModifiedAsync(client, "treatments"));

        // A later write still gets a later srvModified than the removal (the site clock never runs back).
        var (_, created, _) = await client.SendAsync(HttpMethod.Post, "/treatments", new { date = Now, utcOffset = 0, app = "x", eventType = "Note" });
        Assert.True(created.GetProperty("lastModified").GetInt64() > afterDelete);
    }

    [Fact]
    public async Task AV3PermanentDeleteMovesLastModified()
    {
        var (client, site, _) = await V3Client.CreateAsync(api);
        var (_, created, _) = await client.SendAsync(HttpMethod.Post, "/food", new { date = Now, app = "web", name = "Apple", carbs = 15, utcOffset = 0 });
        var id = created.GetProperty("identifier").GetString();
        var afterWrite = await LastModifiedAsync(client, "food");

        Assert.Equal(200, (await client.SendAsync(HttpMethod.Delete, $"/food/{id}?permanent=true")).Status);
        Assert.Equal(404, (await client.SendAsync(HttpMethod.Get, $"/food/{id}")).Status);
        var afterDelete = await LastModifiedAsync(client, "food");
        Assert.True(afterDelete > afterWrite, $"lastModified stayed at {afterWrite} after a permanent delete");

        await GrainReload.ReloadSiteAsync(api, site);
        Assert.Equal(afterDelete, await LastModifiedAsync(client, "food"));
    }

    [Fact]
    public async Task ADeleteThatMatchesNothingLeavesLastModifiedAlone()
    {
        var (client, site, secret) = await V3Client.CreateAsync(api);
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments",
            new { eventType = "Note", created_at = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("o") });
        var before = await LastModifiedAsync(client, "treatments");
        await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, "/api/v1/treatments/0123456789abcdef01234567");
        Assert.Equal(before, await LastModifiedAsync(client, "treatments"));
    }

    [Fact]
    public async Task APatchIsRefusedWhenTheDocumentChangedSinceIfUnmodifiedSince()
    {
        var (client, _, _) = await V3Client.CreateAsync(api);
        var date = Now - 120_000;
        var (_, created, _) = await client.SendAsync(HttpMethod.Post, "/treatments", new { date, utcOffset = 0, app = "AAPS", eventType = "Note", notes = "original" });
        var id = created.GetProperty("identifier").GetString();
        var modified = DateTimeOffset.FromUnixTimeMilliseconds(created.GetProperty("lastModified").GetInt64());

        // Another client changed it after this one last read it: refused, nothing stored.
        var (stale, _, _) = await client.SendAsync(HttpMethod.Patch, $"/treatments/{id}", new { notes = "stale edit" },
            r => r.Headers.IfUnmodifiedSince = modified.AddSeconds(-2));
        Assert.Equal(412, stale);
        var (_, read, _) = await client.SendAsync(HttpMethod.Get, $"/treatments/{id}");
        Assert.Equal("original", read.GetProperty("result").GetProperty("notes").GetString());

        // Unchanged since the time the client knows: accepted.
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Patch, $"/treatments/{id}", new { notes = "fresh edit" },
            r => r.Headers.IfUnmodifiedSince = modified.AddSeconds(1))).Status);
        var (_, edited, _) = await client.SendAsync(HttpMethod.Get, $"/treatments/{id}");
        Assert.Equal("fresh edit", edited.GetProperty("result").GetProperty("notes").GetString());
    }
}
