using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Nocturne.Api.Health;

/// <summary>Readiness: this process's silo is an active member of the cluster.</summary>
public sealed class ClusterMembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails localSilo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(localSilo.SiloAddress);
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var data = new Dictionary<string, object> { ["silo"] = localSilo.SiloAddress.ToString(), ["activeSilos"] = active };
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo active in a cluster of {active}", data)
            : HealthCheckResult.Unhealthy($"Silo status is {status}", data: data));
    }
}
