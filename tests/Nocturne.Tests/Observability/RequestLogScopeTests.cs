using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Observability;

/// <summary>Every log line of a request carries its site and request ids, and never the request path.</summary>
public sealed class RequestLogScopeTests
{
    [Fact]
    public async Task LogLinesOfARequestNameItsSiteAndRequestButNotItsPath()
    {
        var capture = new ScopeCapturingProvider();
        var api = MultiSiteApi.With(s => s.AddSingleton<ILoggerProvider>(capture),
            new() { ["Logging:LogLevel:Default"] = "Information", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace" });
        await api.InitializeAsync();
        try
        {
            var (site, _) = await api.CreateSiteAsync("scopes", new { authDefaultRoles = new[] { "denied" } });
            // An access token in the path (where the reference puts it) must never reach a scope.
            const string token = "not-a-real-token-0123456789";
            (await api.Client.GetAsync($"/t/{site}/api/v2/authorization/request/{token}")).Dispose();
            // A wrong secret is logged (warning) inside the request.
            using (var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/status.json", MultiSiteApi.Sha1("a-wrong-secret-here")))
            {
                (await api.Client.SendAsync(request)).Dispose();
            }

            var line = Assert.Single(capture.Lines, l => l.Message.StartsWith($"Bad credentials for site {site}", StringComparison.Ordinal));
            Assert.Contains($"SiteId={site}", line.Scopes, StringComparison.Ordinal);
            Assert.Matches("RequestId=[^;]+", line.Scopes);
            Assert.All(capture.Lines, l => Assert.DoesNotContain(token, l.Scopes, StringComparison.Ordinal));
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    private sealed class ScopeCapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<(string Message, string Scopes)> Lines { get; } = new();

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() { }

        private sealed class Logger(ScopeCapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                owner._scopes.ForEachScope((scope, list) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> values)
                    {
                        list.AddRange(values.Select(v => $"{v.Key}={v.Value}"));
                    }
                    else
                    {
                        list.Add(scope?.ToString() ?? "");
                    }
                }, scopes);
                owner.Lines.Enqueue((formatter(state, exception), string.Join(";", scopes)));
            }
        }
    }
}
