namespace Nocturne.FakeVendors;

/// <summary>What a fake vendor does instead of answering, for requests whose path contains <see cref="PathContains"/>.</summary>
public sealed record VendorFault(VendorFaultKind Kind, string PathContains, int RetryAfterSeconds = 0);

public enum VendorFaultKind
{
    /// <summary>HTTP 500 with an HTML body, as a proxy in front of the vendor answers.</summary>
    ServerError,

    /// <summary>HTTP 429 with Retry-After.</summary>
    RateLimited,

    /// <summary>No answer for longer than the connector's per-attempt timeout.</summary>
    Hang,

    /// <summary>HTTP 200 with a body that is not JSON.</summary>
    Malformed,

    /// <summary>HTTP 401.</summary>
    Unauthorized,
}
