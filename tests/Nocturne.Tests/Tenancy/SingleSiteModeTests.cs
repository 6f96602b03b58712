using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>Without a base domain the server is one Nightscout site configured from its environment.</summary>
public sealed class SingleSiteModeTests
{
    [Fact]
    public async Task ApiSecretFromTheEnvironmentGuardsTheDefaultSite()
    {
        const string secret = "single-site-api-secret";
        await using var factory = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), new Dictionary<string, string?>
        {
            ["API_SECRET"] = secret,
            ["AUTH_DEFAULT_ROLES"] = "denied",
            ["AUTH_FAIL_DELAY"] = "0",
        });
        using var client = factory.CreateClient();

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/status.json")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/status.json");
        request.Headers.Add("api-secret", MultiSiteApi.Sha1(secret));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        // No path prefixes in single-site mode.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/t/default/api/v1/status.json")).StatusCode);
    }

    [Fact]
    public async Task AnApiSecretShorterThanTwelveCharactersStopsStartUp()
    {
        await using var factory = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), new Dictionary<string, string?> { ["API_SECRET"] = "too-short" });
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(() => factory.CreateClient()));
        Assert.Contains("at least 12 characters", ex.ToString(), StringComparison.Ordinal);
    }
}
