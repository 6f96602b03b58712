using Nocturne.Tests.Infrastructure;
using Nocturne.Tests.V3;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// Two sites that both hold data, including a document with the same v3 identifier (identifiers
/// are UUIDv5s of device, date and event type, so two patients' identical uploads collide).
/// Site A's own credentials, on A's own URLs, name B's identifiers and _ids: nothing of B is
/// read, changed or deleted.
/// </summary>
public sealed class CrossSiteDocumentTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static object Treatment(long date, string notes) =>
        new { date, utcOffset = 0, app = "AAPS", device = "pump-1", eventType = "Note", notes };

    [Fact]
    public async Task IdentifiersOfSiteBAreUnknownToSiteA()
    {
        var (a, siteA, secretA) = await V3Client.CreateAsync(api);
        var (b, siteB, secretB) = await V3Client.CreateAsync(api);
        var date = Now - 600_000;

        // The same upload on both sites: one identifier, two documents.
        var (_, sharedOnA, _) = await a.SendAsync(HttpMethod.Post, "/treatments", Treatment(date, "A's note"));
        var (_, sharedOnB, _) = await b.SendAsync(HttpMethod.Post, "/treatments", Treatment(date, "B's note"));
        var shared = sharedOnA.GetProperty("identifier").GetString()!;
        Assert.Equal(shared, sharedOnB.GetProperty("identifier").GetString());

        // Documents only B has: a v3 one and a v1 one (known to v1 by its _id).
        var (_, onlyB, _) = await b.SendAsync(HttpMethod.Post, "/treatments", Treatment(date - 60_000, "B only"));
        var onlyBId = onlyB.GetProperty("identifier").GetString()!;
        var (v1Status, v1Posted) = await api.SendAsAdminAsync(siteB, secretB, HttpMethod.Post, "/api/v1/treatments",
            new { eventType = "Note", created_at = DateTimeOffset.UtcNow.AddMinutes(-20).ToString("o"), notes = "B v1" });
        Assert.Equal(200, v1Status);
        var v1Id = v1Posted[0].GetProperty("_id").GetString()!;
        Assert.Equal(200, (await api.SendAsAdminAsync(siteB, secretB, HttpMethod.Post, "/api/v1/entries",
            new { type = "sgv", date = Now - 60_000, sgv = 222, device = "cgm" })).Status);
        Assert.Equal(200, (await api.SendAsAdminAsync(siteA, secretA, HttpMethod.Post, "/api/v1/entries",
            new { type = "sgv", date = Now - 60_000, sgv = 111, device = "cgm" })).Status);

        // v3 by identifier: read, PATCH, DELETE (soft and permanent) of B's documents from A.
        Assert.Equal(404, (await a.SendAsync(HttpMethod.Get, $"/treatments/{onlyBId}")).Status);
        Assert.Equal(404, (await a.SendAsync(HttpMethod.Patch, $"/treatments/{onlyBId}", new { notes = "from A" })).Status);
        Assert.Equal(404, (await a.SendAsync(HttpMethod.Delete, $"/treatments/{onlyBId}")).Status);
        Assert.Equal(404, (await a.SendAsync(HttpMethod.Delete, $"/treatments/{onlyBId}?permanent=true")).Status);
        Assert.Equal(404, (await a.SendAsync(HttpMethod.Get, $"/treatments/{v1Id}")).Status);

        // The shared identifier on A addresses A's document alone.
        Assert.Equal(200, (await a.SendAsync(HttpMethod.Patch, $"/treatments/{shared}", new { notes = "patched by A" })).Status);
        Assert.Equal(200, (await a.SendAsync(HttpMethod.Put, $"/treatments/{shared}", Treatment(date, "replaced by A"))).Status);
        Assert.Equal(200, (await a.SendAsync(HttpMethod.Delete, $"/treatments/{shared}?permanent=true")).Status);
        // PUT of an unknown identifier creates on A; B's document of that identifier stays B's.
        Assert.Equal(201, (await a.SendAsync(HttpMethod.Put, $"/treatments/{onlyBId}", Treatment(date - 60_000, "A's own"))).Status);

        // v1 by _id from A.
        var (_, findOnA) = await api.SendAsAdminAsync(siteA, secretA, HttpMethod.Get, $"/api/v1/treatments.json?find[_id]={v1Id}");
        Assert.Equal(0, findOnA.GetArrayLength());
        await api.SendAsAdminAsync(siteA, secretA, HttpMethod.Delete, $"/api/v1/treatments/{v1Id}");

        // A's lists: history, search, count, ddata and properties show nothing of B.
        var (_, history, _) = await a.SendAsync(HttpMethod.Get, "/treatments/history/0");
        var historyText = history.GetRawText();
        Assert.DoesNotContain("B only", historyText, StringComparison.Ordinal);
        Assert.DoesNotContain("B's note", historyText, StringComparison.Ordinal);
        Assert.DoesNotContain("B v1", historyText, StringComparison.Ordinal);
        var (_, count) = await api.SendAsAdminAsync(siteA, secretA, HttpMethod.Get, "/api/v1/count/treatments/where");
        // A holds one treatment now (its own at B's identifier); B holds three.
        Assert.Equal(1, count[0].GetProperty("count").GetInt32());
        var ddata = await api.GetOkAsync(siteA, secretA, "/api/v2/ddata/at");
        Assert.DoesNotContain("B v1", ddata.GetRawText(), StringComparison.Ordinal);
        // By value: "222" as text also turns up inside random ObjectIds.
        Assert.DoesNotContain(ddata.GetProperty("sgvs").EnumerateArray(), s => s.GetProperty("mgdl").GetInt32() == 222);
        var properties = await api.GetOkAsync(siteA, secretA, "/api/v2/properties/bgnow");
        Assert.Equal(111, properties.GetProperty("bgnow").GetProperty("last").GetInt32());

        // B still has every document exactly as B wrote it.
        var (sharedStatus, sharedOnBNow, _) = await b.SendAsync(HttpMethod.Get, $"/treatments/{shared}");
        Assert.Equal(200, sharedStatus);
        Assert.Equal("B's note", sharedOnBNow.GetProperty("result").GetProperty("notes").GetString());
        var (onlyBStatus, onlyBNow, _) = await b.SendAsync(HttpMethod.Get, $"/treatments/{onlyBId}");
        Assert.Equal(200, onlyBStatus);
        Assert.Equal("B only", onlyBNow.GetProperty("result").GetProperty("notes").GetString());
        var (_, v1OnB) = await api.SendAsAdminAsync(siteB, secretB, HttpMethod.Get, $"/api/v1/treatments.json?find[_id]={v1Id}");
        Assert.Equal("B v1", v1OnB[0].GetProperty("notes").GetString());
        var propertiesB = await api.GetOkAsync(siteB, secretB, "/api/v2/properties/bgnow");
        Assert.Equal(222, propertiesB.GetProperty("bgnow").GetProperty("last").GetInt32());
    }
}
