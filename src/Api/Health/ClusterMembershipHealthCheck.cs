using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Nocturne.Api.Health;

/// <summary>
/// Readiness: this process's silo is an active member of the cluster, and the membership table
/// (Redis in cluster mode) can be read. A silo that cannot read the table cannot notice a dead
/// peer or admit a new one, even while its last snapshot still looks healthy.
/// </summary>
public sealed class ClusterMembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails localSilo, IMembershipTable table) : IHealthCheck
{
    private static readonly TimeSpan TableTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(localSilo.SiloAddress);
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var data = new Dictionary<string, object> { ["silo"] = localSilo.SiloAddress.ToString(), ["activeSilos"] = active };
        if (status != SiloStatus.Active)
        {
            return HealthCheckResult.Unhealthy($"Silo status is {status}", data: data);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TableTimeout);
            var rows = await table.ReadAllAsync(timeout.Token).WaitAsync(TableTimeout, cancellationToken);
            if (rows.TryGet(localSilo.SiloAddress) is null)
            {
                return HealthCheckResult.Unhealthy("This silo is missing from the membership table", data: data);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Membership table unreadable: {ex.GetType().Name}", data: data);
        }

        return HealthCheckResult.Healthy($"Silo active in a cluster of {active}", data);
    }
}
