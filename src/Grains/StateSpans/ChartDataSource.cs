using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Storage;

namespace Nocturne.Grains.StateSpans;

/// <summary>The documents a chart of a time range reads, each on its (site, time) index.</summary>
public sealed class ChartDataSource(PostgresConnection postgres)
{
    /// <summary>Readings (sgv entries) in [from, to), oldest first.</summary>
    public Task<List<StoredDocument>> GlucoseAsync(string tenant, long fromMs, long toMs, CancellationToken cancellationToken = default) =>
        RangeAsync(Collection.Entries, tenant, fromMs, toMs, "AND type = 'sgv'", cancellationToken);

    /// <summary>Treatments in [from, to), oldest first.</summary>
    public Task<List<StoredDocument>> TreatmentsAsync(string tenant, long fromMs, long toMs, CancellationToken cancellationToken = default) =>
        RangeAsync(Collection.Treatments, tenant, fromMs, toMs, "", cancellationToken);

    /// <summary>The profile documents in force somewhere in [from, to): the last one started before, and those started inside.</summary>
    public async Task<List<StoredDocument>> ProfilesAsync(string tenant, long fromMs, long toMs, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            (SELECT {DocumentStore.ReadColumns} FROM profile WHERE tenant_id = @t AND is_valid AND date_ms <= @from ORDER BY date_ms DESC LIMIT 1)
            UNION ALL
            (SELECT {DocumentStore.ReadColumns} FROM profile WHERE tenant_id = @t AND is_valid AND date_ms > @from AND date_ms < @to ORDER BY date_ms LIMIT 1000)
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("from", fromMs);
        command.Parameters.AddWithValue("to", toMs);
        var found = await DocumentStore.ReadAllAsync(command, cancellationToken);
        if (found.Count == 0)
        {
            // A profile dated after the range (uploaded later with its own start) is still the site's profile.
            await using var any = postgres.DataSource.CreateCommand($"SELECT {DocumentStore.ReadColumns} FROM profile WHERE tenant_id = @t AND is_valid ORDER BY date_ms LIMIT 1");
            any.Parameters.AddWithValue("t", tenant);
            found = await DocumentStore.ReadAllAsync(any, cancellationToken);
        }

        return found;
    }

    private async Task<List<StoredDocument>> RangeAsync(Collection collection, string tenant, long fromMs, long toMs, string filter, CancellationToken cancellationToken)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT {DocumentStore.ReadColumns} FROM {CollectionNames.Of(collection)}
            WHERE tenant_id = @t AND is_valid AND date_ms >= @from AND date_ms < @to {filter} ORDER BY date_ms LIMIT 100000
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("from", fromMs);
        command.Parameters.AddWithValue("to", toMs);
        return await DocumentStore.ReadAllAsync(command, cancellationToken);
    }
}
