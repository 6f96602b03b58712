using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Storage;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// A site's newest readings as the alarm grain hears them (valid sgv entries whose <c>sgv</c> is a JSON
/// number), read from the entries table: the readings are durable there before an upload is answered, so
/// the alarm grain need not write its own copy of each one to find them again after a restart.
/// </summary>
public sealed class NewestReadings(PostgresConnection postgres)
{
    /// <summary>The newest reading and the newest one before it (either null when there is none), on the site + type + time index.</summary>
    public async Task<(AlarmReading? Last, AlarmReading? Previous)> ReadAsync(string siteId, CancellationToken cancellationToken)
    {
        await using var command = postgres.DataSource.CreateCommand("""
            SELECT date_ms, (doc->>'sgv')::float8
            FROM entries
            WHERE tenant_id = @tenant AND type = 'sgv' AND is_valid AND jsonb_typeof(doc->'sgv') = 'number'
            ORDER BY date_ms DESC
            LIMIT 8
            """);
        command.Parameters.AddWithValue("tenant", siteId);
        AlarmReading? last = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var reading = new AlarmReading(reader.GetInt64(0), reader.GetDouble(1));
            if (last is null)
            {
                last = reading;
            }
            else if (reading.Mills < last.Mills)
            {
                return (last, reading);
            }
        }

        return (last, null);
    }
}
