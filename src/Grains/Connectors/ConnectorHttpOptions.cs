namespace Nocturne.Grains.Connectors;

/// <summary>The resilience pipeline every vendor request goes through (<c>Connectors:Http</c>).</summary>
public sealed class ConnectorHttpOptions
{
    /// <summary>One attempt's limit.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 15;

    /// <summary>One request's limit, retries included.</summary>
    public double TotalTimeoutSeconds { get; set; } = 60;

    public int RetryAttempts { get; set; } = 2;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public double RetryDelaySeconds { get; set; } = 2;

    /// <summary>A 429 whose Retry-After is longer than this is not retried in place: the connector waits that long before its next sync.</summary>
    public double MaxRetryAfterSeconds { get; set; } = 10;

    /// <summary>The circuit of one vendor host opens when this share of requests failed within the sampling window...</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>...and at least this many requests were made in it.</summary>
    public int BreakerMinimumThroughput { get; set; } = 20;

    public double BreakerSamplingSeconds { get; set; } = 60;

    public double BreakDurationSeconds { get; set; } = 60;
}
