using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Storage;

namespace Nocturne.Grains.Statistics;

/// <summary>
/// The read side of reports: only the two numbers per document that statistics need, straight from
/// the site + time index, never whole documents (90 days of a 5-minute CGM are 26,000 readings).
/// </summary>
public sealed class StatisticsQueries(PostgresConnection postgres)
{
    // A value Nightscout clients store as a number, or as a plain decimal string (some uploaders do).
    // The field names are ours (constants), never request input.
    internal static string Numeric(string field) => $$"""
        CASE jsonb_typeof(doc->'{{field}}')
            WHEN 'number' THEN (doc->>'{{field}}')::float8
            WHEN 'string' THEN CASE WHEN doc->>'{{field}}' ~ '^[0-9]{1,6}(\.[0-9]{1,6})?$' THEN (doc->>'{{field}}')::float8 END
        END
        """;

    public async Task<List<GlucoseReading>> ReadingsAsync(string tenant, long from, long to, CancellationToken cancellationToken)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT date_ms, value FROM (
                SELECT DISTINCT ON (date_ms) date_ms, {Numeric("sgv")} AS value
                FROM entries
                WHERE tenant_id = @tenant AND type = 'sgv' AND is_valid AND date_ms >= @from AND date_ms < @to
                ORDER BY date_ms, srv_modified DESC
            ) r
            WHERE value >= @smallest
            ORDER BY date_ms
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        command.Parameters.AddWithValue("smallest", GlucoseRanges.SmallestReading);
        var readings = new List<GlucoseReading>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            readings.Add(new GlucoseReading(reader.GetInt64(0), reader.GetDouble(1)));
        }

        return readings;
    }

    public async Task<List<TreatmentAmount>> TreatmentAmountsAsync(string tenant, long from, long to, CancellationToken cancellationToken)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT date_ms, {Numeric("insulin")}, {Numeric("carbs")}
            FROM treatments
            WHERE tenant_id = @tenant AND is_valid AND date_ms >= @from AND date_ms < @to
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        var amounts = new List<TreatmentAmount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var insulin = reader.IsDBNull(1) ? 0 : reader.GetDouble(1);
            var carbs = reader.IsDBNull(2) ? 0 : reader.GetDouble(2);
            if (insulin > 0 || carbs > 0)
            {
                amounts.Add(new TreatmentAmount(reader.GetInt64(0), insulin, carbs));
            }
        }

        return amounts;
    }

    /// <summary>The zone of the site's newest profile's active store; UTC when it names none.</summary>
    public async Task<TimeZoneInfo> ZoneAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var command = postgres.DataSource.CreateCommand(
            "SELECT doc_text FROM profile WHERE tenant_id = @tenant AND is_valid ORDER BY date_ms DESC LIMIT 1");
        command.Parameters.AddWithValue("tenant", tenant);
        var text = await command.ExecuteScalarAsync(cancellationToken) as string;
        var active = text is null ? null : ProfileSchedule.Active(JsonNode.Parse(text) as JsonObject);
        return active is { } store && ProfileSchedule.Zone(store.Store) is { } zone ? zone : TimeZoneInfo.Utc;
    }
}
