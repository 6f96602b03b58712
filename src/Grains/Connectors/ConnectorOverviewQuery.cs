using Microsoft.Extensions.Options;
using Nocturne.Grains.Storage;
using Orleans.Configuration;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// The operator's count of connectors per kind and health across every site, read from the
/// connectors' own grain state rows (state name <c>connector</c>) without activating any grain.
/// </summary>
public sealed class ConnectorOverviewQuery(PostgresConnection postgres, IOptions<ClusterOptions> cluster)
{
    public async Task<IReadOnlyList<ConnectorOverview>> LoadAsync(CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("""
            SELECT s->>'Kind', s->>'Health', count(*)::int
            FROM (SELECT convert_from(payload, 'UTF8')::jsonb AS s FROM orleans_grain_state
                  WHERE service_id = @service AND grain_type = 'connector' AND payload IS NOT NULL) AS states
            WHERE (s->>'Configured')::boolean
            GROUP BY 1, 2
            """);
        command.Parameters.AddWithValue("service", cluster.Value.ServiceId);
        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var kind = reader.IsDBNull(0) ? "unknown" : reader.GetString(0);
            if (!counts.TryGetValue(kind, out var byHealth))
            {
                counts[kind] = byHealth = [];
            }

            byHealth[reader.IsDBNull(1) ? "unknown" : reader.GetString(1)] = reader.GetInt32(2);
        }

        return Interfaces.Connectors.ConnectorKinds.All
            .Select(kind => counts.TryGetValue(kind, out var byHealth)
                ? new ConnectorOverview(kind, byHealth.Values.Sum(), byHealth)
                : new ConnectorOverview(kind, 0, new Dictionary<string, int>()))
            .ToList();
    }
}
