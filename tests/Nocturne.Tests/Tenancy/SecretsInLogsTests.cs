using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Tenancy;

/// <summary>Secrets, tokens and JWTs, good or bad, never reach the logs, at any level.</summary>
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task NoCredentialAppearsInAnyLogLine()
    {
        var capture = new CapturingLoggerProvider();
        // Everything at Trace, the framework's request logging included.
        var api = MultiSiteApi.With(
            s => s.AddSingleton<ILoggerProvider>(capture),
            new() { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace", ["Logging:LogLevel:Orleans"] = "Information" });
        await api.InitializeAsync();
        var client = api.Client;
        try
        {
            var (site, secret) = await api.CreateSiteAsync("logs", new { authDefaultRoles = new[] { "denied" } });
            var token = await api.CreateSubjectAsync(site, secret, "phone", "admin");
            var jwt = await api.JwtAsync(site, token);
            var wrongSecret = "this-is-the-wrong-secret";

            foreach (var request in new[]
            {
                MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(secret)),
                MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1(wrongSecret)),
                MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/status.json", wrongSecret),
                new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/status.json?token={token}"),
                new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/status.json?token={token}x"),
                new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/status.json?secret={MultiSiteApi.Sha1(wrongSecret)}"),
                // Paths carry tokens too: the JWT exchange, and whatever a confused client puts there.
                new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v2/authorization/request/{token}x"),
                MultiSiteApi.SiteRequest(site, HttpMethod.Get, $"/api/v1/entries/{token}", wrongSecret),
            })
            {
                using (request)
                {
                    (await client.SendAsync(request)).Dispose();
                }
            }

            using var bearer = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/subjects");
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
            (await client.SendAsync(bearer)).Dispose();

            Assert.NotEmpty(capture.Lines);
            // The logging really ran below Information, and our own warnings about the bad credentials are there.
            Assert.Contains(capture.Lines, l => l.StartsWith("Debug", StringComparison.Ordinal) || l.StartsWith("Trace", StringComparison.Ordinal));
            Assert.Contains(capture.Lines, l => l.Contains("Bad credentials for site", StringComparison.Ordinal));
            var secrets = new[] { secret, MultiSiteApi.Sha1(secret), token, token[^16..], jwt, jwt.Split('.')[2], wrongSecret, MultiSiteApi.Sha1(wrongSecret), MultiSiteApi.OperatorKey };
            var leaks = capture.Lines.Where(line => secrets.Any(s => line.Contains(s, StringComparison.OrdinalIgnoreCase))).ToList();
            Assert.Empty(leaks);
        }
        finally
        {
            await api.DisposeAsync();
        }
    }
}
