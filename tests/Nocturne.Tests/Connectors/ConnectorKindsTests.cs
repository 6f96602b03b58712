using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Connectors;

/// <summary>The connector status API and the operator overview know every kind, part 2's included.</summary>
public sealed class ConnectorKindsTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private static readonly string[] Kinds = ["dexcom", "librelinkup", "nightscout", "tidepool", "glooko", "carelink", "tandem", "myfitnesspal"];

    [Fact]
    public async Task TheStatusListAndTheOperatorOverviewShowAllEightKinds()
    {
        var (site, secret) = await host.Api.CreateSiteAsync("kinds");
        var statuses = await host.Api.GetOkAsync(site, secret, "/api/v4/connectors");
        Assert.Equal(Kinds, statuses.EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
        Assert.All(statuses.EnumerateArray(), s => Assert.Equal("unconfigured", s.GetProperty("health").GetString()));

        // A Tandem connector whose password is wrong is counted as paused.
        var account = host.Tandem.AddAccount($"{Guid.NewGuid():N}"[..10] + "@example.com", "right");
        await host.ConfigureAsync(site, secret, "tandem", new { username = account.Email, password = "wrong", timeZone = "Europe/Berlin", intervalSeconds = 3600 });
        Assert.Equal("paused", (await host.SyncAsync(site, secret, "tandem")).GetProperty("health").GetString());
        var (status, overview) = await host.Api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Get, "/api/admin/connectors"));
        Assert.Equal(200, status);
        Assert.Equal(Kinds, overview.EnumerateArray().Select(k => k.GetProperty("kind").GetString()));
        Assert.True(overview.EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "tandem").GetProperty("byHealth").GetProperty("paused").GetInt32() >= 1);

        var (unknown, body) = await host.ConfigureAsync(site, secret, "omnipod", new { username = "x" });
        Assert.Equal(400, unknown);
        Assert.Contains("myfitnesspal", body.GetProperty("message").GetString() + body.ToString());
    }
}
