using System.Text.Json;
using Nocturne.Grains.Import;

namespace Nocturne.Tests.Infrastructure;

/// <summary>Starts an operator import (it runs in the background) and waits for its progress to leave "running".</summary>
public static class SiteImports
{
    /// <summary>POSTs <paramref name="body"/> to <c>/api/admin/tenants/{site}/{route}</c>, expects 202, and returns the final progress.</summary>
    public static async Task<JsonElement> RunAsync(MultiSiteApi api, string site, string route, object body)
    {
        int status = 0;
        JsonElement started = default;
        // The previous run of this site may still be closing on the host (its state is already written).
        for (var i = 0; i < 50; i++)
        {
            (status, started) = await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, $"/api/admin/tenants/{site}/{route}", body));
            if (status != 409)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.True(status == 202, started.ToString());
        return await WaitAsync(api, site);
    }

    public static async Task<JsonElement> WaitAsync(MultiSiteApi api, string site)
    {
        for (var i = 0; i < 900; i++)
        {
            var (_, progress) = await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Get, $"/api/admin/tenants/{site}/imports"));
            if (progress.GetProperty("state").GetString() != ImportState.Running)
            {
                return progress;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the import did not finish in 90 s");
    }

    /// <summary>What the <c>tenant import</c> CLI needs to join the test host's cluster as a client.</summary>
    public static Dictionary<string, string?> CliSettings(MultiSiteApi api) => new()
    {
        ["Cluster:GatewayPort"] = api.Factory.GatewayPort,
        ["Cluster:ServiceId"] = api.Factory.ServiceId,
        ["Cluster:ClusterId"] = api.Factory.ServiceId,
        ["ConnectionStrings:Postgres"] = api.Factory.Postgres,
        ["Cluster:Mode"] = "Localhost",
    };

    public static JsonElement CollectionOf(JsonElement progress, string name) =>
        progress.GetProperty("collections").EnumerateArray().Single(c => c.GetProperty("collection").GetString() == name);
}
