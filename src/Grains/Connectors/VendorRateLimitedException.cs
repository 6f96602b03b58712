namespace Nocturne.Grains.Connectors;

/// <summary>The vendor asked us to wait (429 with Retry-After): no request to it until then.</summary>
public sealed class VendorRateLimitedException : Exception
{
    public VendorRateLimitedException(TimeSpan retryAfter) : base($"Rate limited by the vendor; retry after {retryAfter.TotalSeconds:0} s") => RetryAfter = retryAfter;
    public VendorRateLimitedException() { }
    public VendorRateLimitedException(string message) : base(message) { }
    public VendorRateLimitedException(string message, Exception innerException) : base(message, innerException) { }

    public TimeSpan RetryAfter { get; } = TimeSpan.FromMinutes(5);
}
