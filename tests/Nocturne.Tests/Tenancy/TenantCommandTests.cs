using Nocturne.Api.Hosting;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>The operator CLI joins the running cluster as an Orleans client and manages sites through it.</summary>
public sealed class TenantCommandTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        // Make sure the server (and its gateway) is up before the client connects.
        (await api.Client.GetAsync("/health/live")).Dispose();
        var settings = new Dictionary<string, string?>
        {
            // Explicit, so that a Cluster__Mode left in the shell does not send the CLI to Redis.
            ["Cluster:Mode"] = "Localhost",
            ["Cluster:GatewayPort"] = api.Factory.GatewayPort,
            ["Cluster:ServiceId"] = api.Factory.ServiceId,
            ["Cluster:ClusterId"] = api.Factory.ServiceId,
            ["Tenancy:BaseDomain"] = MultiSiteApi.BaseDomain,
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await TenantCommand.RunAsync(args, settings, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task CreatePrintsTheUrlAndTheSecretOnceAndTheSecretWorks()
    {
        var id = $"cli-{Guid.NewGuid():N}"[..16];
        var (exit, output, _) = await RunAsync("create", id, "--name", "CLI patient");
        Assert.Equal(0, exit);
        Assert.Contains($"https://{id}.{MultiSiteApi.BaseDomain}/", output, StringComparison.Ordinal);
        var secret = output.Split('\n').Single(l => l.StartsWith("API secret:", StringComparison.Ordinal))["API secret:".Length..].Trim();
        Assert.Equal(200, (await api.SendAsync(MultiSiteApi.SiteRequest(id, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(secret)))).Status);

        var (listExit, list, _) = await RunAsync("list");
        Assert.Equal(0, listExit);
        Assert.Contains($"{id}\tenabled\tCLI patient", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);

        Assert.Equal(1, (await RunAsync("create", id)).Exit);
        Assert.Equal(0, (await RunAsync("disable", id)).Exit);
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(id, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(secret)))).Status);
        Assert.Contains("disabled", (await RunAsync("show", id)).Out, StringComparison.Ordinal);

        var (refused, _, why) = await RunAsync("delete", id);
        Assert.Equal(2, refused);
        Assert.Contains("--confirm", why, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("delete", id, "--confirm", id)).Exit);
        Assert.Equal(1, (await RunAsync("show", id)).Exit);
    }

    [Fact]
    public async Task BadInvocationsPrintUsage()
    {
        var (exit, _, err) = await RunAsync("frobnicate");
        Assert.Equal(2, exit);
        Assert.Contains("usage:", err, StringComparison.Ordinal);
        Assert.Equal(1, (await RunAsync("create", "Bad_Id")).Exit);
    }
}
