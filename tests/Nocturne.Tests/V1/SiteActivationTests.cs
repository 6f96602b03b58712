using Microsoft.Extensions.DependencyInjection;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V1;

/// <summary>
/// What a site's grains load when they activate (after a restart, every site at once): the window
/// and live state in one batch, the site's row, subjects and roles in another, each activation
/// queued behind a per-silo bound. Whatever the order and however many come back together, each
/// site answers exactly what it answered before, from its own data.
/// </summary>
public sealed class SiteActivationTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private const int Sites = 24;

    private IPatientGrain Grain(string site) => api.Factory.Services.GetRequiredService<IGrainFactory>().Site(site).Documents;

    [Fact]
    public async Task ManySitesActivatingAtOnceEachAnswerTheirOwnDataByteForByteAsBefore()
    {
        var now = DateTimeOffset.UtcNow;
        var sites = new List<(string Id, string Secret)>();
        for (var s = 0; s < Sites; s++)
        {
            var (site, secret) = await api.CreateSiteAsync("act");
            // Each site's own readings (values tell the sites apart), one with odd text, a device status and an age treatment.
            var entries = Enumerable.Range(0, 30).Select(k => (object)new { type = "sgv", date = now.AddMinutes(-1 - (5 * k)).ToUnixTimeMilliseconds(), sgv = 60 + s + k, direction = "Flat", device = "cgm" })
                .Append(new { type = "sgv", date = now.AddMinutes(-3).ToUnixTimeMilliseconds(), sgv = 120.5, device = $"G6 \u00dcn\u00efc\u00f8d\u00e9 \ud83d\ude00 <b>&'\" {s}", meta = new { a = new object?[] { 1, 2.5, null } } })
                .ToArray();
            Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", entries)).Status);
            Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus",
                new { device = $"loop-{s}", created_at = now.AddMinutes(-2).ToString("O"), uploaderBattery = 40 + s })).Status);
            Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments",
                new { eventType = "Site Change", created_at = now.AddHours(-s - 1).ToString("O"), enteredBy = "test" })).Status);
            sites.Add((site, secret));
        }

        // Loaded one at a time first: a window loaded from PostgreSQL has jsonb's key order, one that took the writes the client's.
        var before = new Dictionary<string, (string Current, string Recent, IReadOnlyDictionary<string, long> LastModified)>();
        foreach (var (site, secret) in sites)
        {
            await GrainReload.ReloadSiteAsync(api, site);
            before[site] = (await TextAsync(site, secret, "/api/v1/entries/current.json"), await TextAsync(site, secret, "/api/v1/entries.json?count=31"),
                await Grain(site).GetLastModifiedAsync());
        }

        foreach (var (site, _) in sites)
        {
            await GrainReload.ReloadSiteAsync(api, site);
        }

        // All at once, as after a restart, through the per-silo activation gate.
        var after = await Task.WhenAll(sites.Select(async s => (s.Id,
            Current: await TextAsync(s.Id, s.Secret, "/api/v1/entries/current.json"),
            Recent: await TextAsync(s.Id, s.Secret, "/api/v1/entries.json?count=31"),
            LastModified: await Grain(s.Id).GetLastModifiedAsync())));
        foreach (var (site, current, recent, lastModified) in after)
        {
            Assert.Equal(before[site].Current, current);
            Assert.Equal(before[site].Recent, recent);
            Assert.Equal(before[site].LastModified.OrderBy(p => p.Key), lastModified.OrderBy(p => p.Key));
        }

        // Served from the loaded window (not PostgreSQL), and each site's own readings.
        for (var s = 0; s < Sites; s++)
        {
            Assert.NotNull(await Grain(sites[s].Id).GetRecentEntriesAsync(31, null));
            Assert.Contains($"\"sgv\":{60 + s},", after[s].Current, StringComparison.Ordinal);
        }
    }

    private async Task<string> TextAsync(string site, string secret, string path)
    {
        using var response = await api.Client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, path, MultiSiteApi.Sha1(secret)));
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
