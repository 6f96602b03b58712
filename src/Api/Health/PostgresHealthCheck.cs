using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Nocturne.Api.Health;

/// <summary>Readiness: PostgreSQL answers a query right now.</summary>
public sealed class PostgresHealthCheck(PostgresAvailability availability) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await availability.ProbeAsync(cancellationToken)
            ? HealthCheckResult.Healthy("PostgreSQL reachable")
            : HealthCheckResult.Unhealthy($"PostgreSQL unreachable: {availability.LastError}");
}
