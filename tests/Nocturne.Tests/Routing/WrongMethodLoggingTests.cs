using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Routing;

/// <summary>Anyone can send a wrong method anonymously: it must not write warnings or errors.</summary>
public sealed class WrongMethodLoggingTests
{
    [Fact]
    public async Task AWrongMethodLogsNothingAboveDebug()
    {
        var capture = new CapturingLoggerProvider();
        var api = MultiSiteApi.With(s => s.AddSingleton<ILoggerProvider>(capture), new() { ["Logging:LogLevel:Default"] = "Debug" });
        await api.InitializeAsync();
        try
        {
            var (site, _) = await api.CreateSiteAsync("wrongmethod");
            var before = capture.Lines.Count;
            foreach (var method in new[] { "PATCH", "PUT", "POST" })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), $"/t/{site}/api/v1/status.json");
                using var response = await api.Client.SendAsync(request);
                Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
            }

            var lines = capture.Lines.Skip(before).ToList();
            Assert.DoesNotContain(lines, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)
                || (l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Nocturne", StringComparison.Ordinal)));
        }
        finally
        {
            await api.DisposeAsync();
        }
    }
}
