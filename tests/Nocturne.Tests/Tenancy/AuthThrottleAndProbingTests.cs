using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// The authentication throttle refuses only failing attempts (429 at once, never a sleeping
/// connection), keys clients by address (forwarded only through trusted proxies), covers the JWT
/// exchange, and an unknown site answers exactly as a known one to a caller without credentials.
/// </summary>
public sealed class AuthThrottleAndProbingTests : IAsyncLifetime
{
    private const string PeerHeader = "X-Test-Peer";
    private readonly MultiSiteApi _api = MultiSiteApi.With(
        services => services.AddTransient<IStartupFilter, TestPeerAddress>(),
        new Dictionary<string, string?> { ["AUTH_FAIL_DELAY"] = "20000", ["TRUSTED_PROXIES"] = "10.9.9.9, 10.8.0.0/16" });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    private async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(string site, string path, string? secret, string peer, string? forwardedFor = null)
    {
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, path, secret is null ? null : MultiSiteApi.Sha1(secret));
        request.Headers.Add(PeerHeader, peer);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        // A request held asleep by the throttle would fail here instead of waiting 20 s or more.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await _api.Client.SendAsync(request, timeout.Token);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Fact]
    public async Task AfterWrongSecretsFromAnAddressTheOwnersCorrectSecretFromItIsServedAtOnce()
    {
        var (site, secret) = await _api.CreateSiteAsync("owner");
        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await SendAsync(site, "/api/v1/entries.json", "not the secret", "10.1.1.1")).Status);
        }

        Assert.Equal(401, statuses[0]);
        Assert.All(statuses.Skip(1), s => Assert.Equal(429, s));
        var (status, _, _) = await SendAsync(site, "/api/v1/entries.json", secret, "10.1.1.1");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task ParallelGuessersAreRefusedAtOnceWith429AndRetryAfter()
    {
        var (site, _) = await _api.CreateSiteAsync("guess");
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => SendAsync(site, "/api/v1/entries.json", $"guess {i}", "10.2.2.2")));
        Assert.True(answers.Count(a => a.Status == 401) <= 2, string.Join(",", answers.Select(a => a.Status)));
        Assert.All(answers.Where(a => a.Status != 401), a =>
        {
            Assert.Equal(429, a.Status);
            Assert.True(a.Response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            Assert.Equal(429, JsonDocument.Parse(a.Body).RootElement.GetProperty("status").GetInt32());
        });
    }

    [Fact]
    public async Task MissesOfTheJwtExchangeAreCountedAndThrottledButAValidTokenIsExchanged()
    {
        var (site, secret) = await _api.CreateSiteAsync("jwt");
        var token = await _api.CreateSubjectAsync(site, secret, "phone", "readable");
        Assert.Equal(401, (await SendAsync(site, "/api/v2/authorization/request/reader-0123456789abcdef", null, "10.3.3.3")).Status);
        Assert.Equal(429, (await SendAsync(site, "/api/v2/authorization/request/reader-0123456789abcdee", null, "10.3.3.3")).Status);
        Assert.Equal(429, (await SendAsync(site, "/api/v1/entries.json", "wrong secret here", "10.3.3.3")).Status);
        Assert.Equal(200, (await SendAsync(site, $"/api/v2/authorization/request/{token}", null, "10.3.3.3")).Status);
    }

    [Fact]
    public async Task ForwardedAddressesAreBelievedOnlyFromTrustedProxies()
    {
        var (site, _) = await _api.CreateSiteAsync("proxy");

        // An untrusted peer cannot escape its penalty by claiming other addresses.
        Assert.Equal(401, (await SendAsync(site, "/api/v1/entries.json", "wrong one", "10.4.4.4", "1.1.1.1")).Status);
        Assert.Equal(429, (await SendAsync(site, "/api/v1/entries.json", "wrong two", "10.4.4.4", "2.2.2.2")).Status);

        // Behind a trusted proxy (an address or a range) each client is throttled on its own.
        Assert.Equal(401, (await SendAsync(site, "/api/v1/entries.json", "wrong one", "10.9.9.9", "3.3.3.3")).Status);
        Assert.Equal(401, (await SendAsync(site, "/api/v1/entries.json", "wrong two", "10.9.9.9", "4.4.4.4")).Status);
        Assert.Equal(429, (await SendAsync(site, "/api/v1/entries.json", "wrong three", "10.8.1.2", "3.3.3.3")).Status);
    }

    [Theory]
    [InlineData("/api/v1/verifyauth")]
    [InlineData("/api/v2/verifyauth")]
    [InlineData("/api/v1/entries.json")]
    [InlineData("/api/v1/entries/current")]
    [InlineData("/api/v1/treatments")]
    [InlineData("/api/v1/devicestatus.json")]
    [InlineData("/api/v1/profile/current")]
    [InlineData("/api/v1/food")]
    [InlineData("/api/v1/status.json")]
    [InlineData("/api/v1/experiments/test")]
    [InlineData("/api/v1/count/entries/where")]
    [InlineData("/api/v2/properties")]
    [InlineData("/api/v2/ddata/at/now")]
    [InlineData("/api/v2/authorization/request/reader-0123456789abcdef")]
    [InlineData("/api/v2/authorization/debug/check/api:entries:read")]
    [InlineData("/api/v2/authorization/subjects")]
    [InlineData("/api/v3/version")]
    [InlineData("/api/v3/status")]
    [InlineData("/api/v3/entries")]
    [InlineData("/api/v3/nothing-here")]
    [InlineData("/api/v4/loop/suggestion")]
    public async Task AnUnknownSiteAnswersAnAnonymousCallerExactlyAsAPrivateKnownSite(string path)
    {
        var (known, _) = await _api.CreateSiteAsync("priv", new { authDefaultRoles = new[] { "denied" } });
        var unknown = $"nosite-{Guid.NewGuid():N}"[..20];
        var (knownStatus, knownBody, _) = await SendAsync(known, path, null, "10.5.5.5");
        var (unknownStatus, unknownBody, _) = await SendAsync(unknown, path, null, "10.5.5.6");
        Assert.Equal(knownStatus, unknownStatus);
        Assert.Equal(Normalise(knownBody), Normalise(unknownBody));

        // With credentials that match nothing, too (each from its own address: the throttle counts them alike).
        var (knownWrong, knownWrongBody, _) = await SendAsync(known, path, "a wrong secret", "10.5.5.7");
        var (unknownWrong, unknownWrongBody, _) = await SendAsync(unknown, path, "a wrong secret", "10.5.5.8");
        Assert.Equal(knownWrong, unknownWrong);
        Assert.Equal(Normalise(knownWrongBody), Normalise(unknownWrongBody));
    }

    // Server clocks differ between two answers; nothing else may.
    private static string Normalise(string body) =>
        System.Text.RegularExpressions.Regex.Replace(body, "\"(srvDate|serverTimeEpoch|serverTime)\":(\"[^\"]*\"|\\d+)", "\"$1\":0");

    private sealed class TestPeerAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // The test host has no socket: the peer address comes from a header only these tests send.
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[PeerHeader].ToString(), out var peer))
                {
                    context.Connection.RemoteIpAddress = peer;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
