using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Push;

/// <summary>
/// The SignalR hub across a cluster: two API hosts (each with its co-hosted silo) share Redis
/// membership; a follower connected to the second receives what is uploaded to the first.
/// </summary>
public sealed class SiteHubClusterTests
{
    [Fact]
    public async Task AFollowerOnTheSecondSiloReceivesAnEntryPostedToTheFirst()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var settings = MultiSiteApi.Settings();
        settings["Cluster:Mode"] = "Redis";
        settings["ConnectionStrings:Redis"] = TestServices.Redis;
        await using var first = new NocturneApiFactory(postgres, settings);
        var clusterSettings = new Dictionary<string, string?>(settings)
        {
            ["Cluster:ServiceId"] = first.ServiceId,
            ["Cluster:ClusterId"] = first.ServiceId,
        };
        await using var second = new NocturneApiFactory(postgres, clusterSettings);
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        await SiloWaits.ForActiveSilosAsync(first.Services, 2);
        await SiloWaits.ForActiveSilosAsync(second.Services, 2);

        var api = new SiteApi(firstClient);
        var (site, secret) = await api.CreateSiteAsync("hub");
        var (otherSite, otherSecret) = await api.CreateSiteAsync("hubother");
        var token = await api.TokenAsync(site, secret, "readable");

        await using var follower = await HubFollower.ConnectAsync(second, site, token);
        await using var otherFollower = await HubFollower.ConnectAsync(second, otherSite, await api.TokenAsync(otherSite, otherSecret, "readable"));
        var date = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await api.PostEntryAsync(site, secret, 123, date);

        var update = await follower.NextAsync("dataUpdate", p => HubFollower.HasSgv(p, 123));
        Assert.True(update.GetProperty("delta").GetBoolean());
        var sgv = update.GetProperty("sgvs").EnumerateArray().Single();
        Assert.Equal(date, sgv.GetProperty("mills").GetInt64());
        Assert.Equal("Flat", sgv.GetProperty("direction").GetString());

        // The other site's follower, on the same silo, got nothing of it: its next event is its own upload.
        await api.PostEntryAsync(otherSite, otherSecret, 150, date);
        var own = await otherFollower.NextAsync("dataUpdate");
        Assert.True(HubFollower.HasSgv(own, 150));
        Assert.False(HubFollower.HasSgv(own, 123));
    }

    [Fact]
    public async Task TheHubRefusesWrongOrMissingCredentialsAndDisconnectsARevokedToken()
    {
        await using var host = new MultiSiteApi();
        await host.InitializeAsync();
        var api = new SiteApi(host.Client);
        var (site, secret) = await api.CreateSiteAsync("hubauth", new { authDefaultRoles = new[] { "denied" } });

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => HubFollower.ConnectAsync(host.Factory, site, "wrong-token-0123456789abcdef"));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => HubFollower.ConnectAsync(host.Factory, site, token: null));

        // A subject without api:entries:read may not follow either.
        var careportal = await api.TokenAsync(site, secret, "careportal");
        await Assert.ThrowsAnyAsync<Exception>(() => HubFollower.ConnectAsync(host.Factory, site, careportal));

        // The api-secret (admin tools) and a JWT work; deleting the subject disconnects its follower.
        await using var admin = await HubFollower.ConnectAsync(host.Factory, site, token: null, apiSecret: secret);
        Assert.Equal(HubConnectionState.Connected, admin.Connection.State);
        var (subjectId, token) = await api.SubjectAsync(site, secret, "readable");
        await using var jwtFollower = await HubFollower.ConnectAsync(host.Factory, site, await host.JwtAsync(site, token));
        await using var follower = await HubFollower.ConnectAsync(host.Factory, site, token);
        var closed = new TaskCompletionSource();
        follower.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        var (status, _) = await host.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v2/authorization/subjects/{subjectId}");
        Assert.Equal(200, status);
        await host.Factory.Services.GetRequiredService<Nocturne.Api.Push.SitePushRelay>().RecheckAsync();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HubConnectionState.Connected, admin.Connection.State);
    }
}
