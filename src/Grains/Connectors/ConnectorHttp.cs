using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// The outbound HTTP client of every connector: IHttpClientFactory with a Polly pipeline
/// selected per vendor host (authority), so that one vendor's outage opens only its own circuit.
/// Order: total timeout, retry (jittered exponential, Retry-After honoured), circuit breaker,
/// per-attempt timeout.
/// </summary>
public static class ConnectorHttp
{
    public const string ClientName = "connectors";

    /// <summary>
    /// Set on requests whose vendor reports its own errors (bad session, bad password) as HTTP
    /// 500: those must not be retried, or a wrong password becomes several login attempts.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> NoStatusRetry = new("nocturne.connectors.no-status-retry");

    /// <summary>Set on requests to a URL a site's admin chose (a Nightscout server): the connection is refused when the name resolves to a private address.</summary>
    public static readonly HttpRequestOptionsKey<bool> PublicOnly = new("nocturne.connectors.public-only");

    public static IServiceCollection AddConnectorHttp(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, client =>
            {
                // The pipeline owns the timeouts.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Nocturne-Connector/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                UseCookies = false,
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectCallback = services.GetRequiredService<IOptions<ConnectorOptions>>().Value.AllowPrivateNightscoutUrls ? null : PrivateAddresses.ConnectAsync,
            })
            // The factory's request logging would write vendor URLs, and Dexcom puts the session id in the query.
            .RemoveAllLoggers()
            .AddResilienceHandler("vendor", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ConnectorOptions>>().Value.Http;
                pipeline
                    .AddTimeout(TimeSpan.FromSeconds(options.TotalTimeoutSeconds))
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(options.RetryAttempts, 1),
                        Delay = TimeSpan.FromSeconds(options.RetryDelaySeconds),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(options.RetryAttempts > 0 && ShouldRetry(args.Outcome, options)),
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = options.BreakerFailureRatio,
                        MinimumThroughput = Math.Max(options.BreakerMinimumThroughput, 2),
                        SamplingDuration = TimeSpan.FromSeconds(options.BreakerSamplingSeconds),
                        BreakDuration = TimeSpan.FromSeconds(options.BreakDurationSeconds),
                    })
                    .AddTimeout(TimeSpan.FromSeconds(options.AttemptTimeoutSeconds));
            })
            .SelectPipelineByAuthority();
        return services;
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ConnectorHttpOptions options)
    {
        if (outcome.Result is { } response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return RetryAfter(response) is { } wait && wait <= TimeSpan.FromSeconds(options.MaxRetryAfterSeconds);
            }

            if (response.RequestMessage?.Options.TryGetValue(NoStatusRetry, out var noRetry) == true && noRetry)
            {
                return false;
            }
        }

        return HttpClientResiliencePredicates.IsTransient(outcome);
    }

    /// <summary>The Retry-After of a response, as a delay (seconds or an HTTP date).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset? now = null) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - (now ?? DateTimeOffset.UtcNow) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
}
