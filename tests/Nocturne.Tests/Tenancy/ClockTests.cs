using Microsoft.Extensions.DependencyInjection;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// What changes as time passes, checked by moving the host's clock rather than by waiting:
/// JWTs expire, and a loop's device status stops speaking for the current IOB.
/// </summary>
public sealed class ClockTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private MultiSiteApi _api = null!;

    public async Task InitializeAsync()
    {
        _api = MultiSiteApi.With(services => services.AddSingleton<TimeProvider>(_clock), []);
        await _api.InitializeAsync();
    }

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task AJwtExpiresAfterItsLifetime()
    {
        var (site, secret) = await _api.CreateSiteAsync("jwt", new { authDefaultRoles = new[] { "denied" } });
        var token = await _api.CreateSubjectAsync(site, secret, "phone", "readable");
        var jwt = await _api.JwtAsync(site, token);

        async Task<int> ReadAsync()
        {
            using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", jwt);
            return (await _api.SendAsync(request)).Status;
        }

        Assert.Equal(200, await ReadAsync());
        _clock.Advance(TimeSpan.FromHours(8) - TimeSpan.FromMinutes(1));
        Assert.Equal(200, await ReadAsync());
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(401, await ReadAsync());
        // The access token itself still works and gives a fresh JWT.
        Assert.Equal(200, (await _api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/entries.json?token={token}"))).Status);
    }

    [Fact]
    public async Task ALoopStatusOlderThanTenMinutesIsNotTheCurrentIob()
    {
        var (site, secret) = await _api.CreateSiteAsync("fresh");
        var now = _clock.GetUtcNow();
        Assert.Equal(200, (await _api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", new
        {
            device = "openaps://rig",
            created_at = now.AddMinutes(-2).ToString("o"),
            openaps = new { iob = new { iob = 2.5, activity = 0.01, timestamp = now.AddMinutes(-2).ToString("o") } },
        })).Status);

        var fresh = await _api.GetOkAsync(site, secret, "/api/v2/properties/iob");
        Assert.Equal(2.5, fresh.GetProperty("iob").GetProperty("iob").GetDouble());

        // Nine minutes later the status is eleven minutes old: the rig has gone quiet.
        _clock.Advance(TimeSpan.FromMinutes(9));
        var stale = await _api.GetOkAsync(site, secret, "/api/v2/properties/iob");
        Assert.False(stale.TryGetProperty("iob", out var iob) && iob.GetProperty("iob").GetDouble() == 2.5, stale.GetRawText());
    }
}
