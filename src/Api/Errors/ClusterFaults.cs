using Orleans.Runtime;

namespace Nocturne.Api.Errors;

/// <summary>
/// Failures of the cluster rather than of the request: a silo died or left, a message could not be
/// delivered, a grain call timed out. The same request is likely to succeed a moment later.
/// </summary>
public static class ClusterFaults
{
    public static bool IsTransient(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            // SiloUnavailableException is a message rejection too.
            if (e is OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException or OrleansLifecycleCanceledException or TimeoutException
                || e.GetType().Name == "ConnectionFailedException")
            {
                return true;
            }
        }

        return false;
    }
}
