using System.Text.Json;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Nocturne.Grains.Import;

/// <summary>
/// <c>site_imports</c> and <c>site_import_collections</c>: a collection's cursor is saved after each
/// page the patient grain committed, so a resumed import neither repeats (beyond that page) nor skips.
/// </summary>
public sealed class ImportProgressStore(PostgresConnection postgres)
{
    public async Task<SiteImportProgress?> LoadAsync(string site, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        SiteImportProgress progress;
        await using (var command = new NpgsqlCommand("SELECT source, state, message, started_at, updated_at FROM site_imports WHERE tenant_id = @t", connection))
        {
            command.Parameters.AddWithValue("t", site);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            progress = new SiteImportProgress
            {
                Site = site,
                Source = reader.GetString(0),
                State = reader.GetString(1),
                Message = reader.IsDBNull(2) ? null : reader.GetString(2),
                StartedAt = reader.GetFieldValue<DateTimeOffset>(3),
                UpdatedAt = reader.GetFieldValue<DateTimeOffset>(4),
            };
        }

        await using (var command = new NpgsqlCommand("SELECT collection, cursor, source_count, read, imported, stored, done, skipped FROM site_import_collections WHERE tenant_id = @t ORDER BY collection", connection))
        {
            command.Parameters.AddWithValue("t", site);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                progress.Collections.Add(new CollectionProgress
                {
                    Collection = reader.GetString(0),
                    Cursor = reader.IsDBNull(1) ? null : reader.GetString(1),
                    SourceCount = reader.IsDBNull(2) ? null : reader.GetInt64(2),
                    Read = reader.GetInt64(3),
                    Imported = reader.GetInt64(4),
                    Stored = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                    Done = reader.GetBoolean(6),
                    Skipped = JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(7)) ?? [],
                });
            }
        }

        return progress;
    }

    /// <summary>Marks the import running; another source than last time starts its cursors afresh.</summary>
    public async Task BeginAsync(string site, string source, bool restart, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var clear = new NpgsqlCommand("""
            DELETE FROM site_import_collections c WHERE c.tenant_id = @t
              AND (@restart OR NOT EXISTS (SELECT 1 FROM site_imports i WHERE i.tenant_id = @t AND i.source = @s))
            """, connection, transaction))
        {
            clear.Parameters.AddWithValue("t", site);
            clear.Parameters.AddWithValue("s", source);
            clear.Parameters.AddWithValue("restart", restart);
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO site_imports (tenant_id, source, state, message, started_at, updated_at) VALUES (@t, @s, @state, NULL, @now, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET source = EXCLUDED.source, state = EXCLUDED.state, message = NULL, started_at = EXCLUDED.started_at, updated_at = EXCLUDED.updated_at
            """, connection, transaction))
        {
            upsert.Parameters.AddWithValue("t", site);
            upsert.Parameters.AddWithValue("s", source);
            upsert.Parameters.AddWithValue("state", ImportState.Running);
            upsert.Parameters.AddWithValue("now", now);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task SaveAsync(string site, CollectionProgress progress, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("""
            WITH touched AS (UPDATE site_imports SET updated_at = @now WHERE tenant_id = @t)
            INSERT INTO site_import_collections (tenant_id, collection, cursor, source_count, read, imported, stored, done, skipped)
            VALUES (@t, @c, @cursor, @count, @read, @imported, @stored, @done, @skipped)
            ON CONFLICT (tenant_id, collection) DO UPDATE SET cursor = EXCLUDED.cursor, source_count = EXCLUDED.source_count,
              read = EXCLUDED.read, imported = EXCLUDED.imported, stored = EXCLUDED.stored, done = EXCLUDED.done, skipped = EXCLUDED.skipped
            """);
        command.Parameters.AddWithValue("t", site);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("c", progress.Collection);
        command.Parameters.AddWithValue("cursor", (object?)progress.Cursor ?? DBNull.Value);
        command.Parameters.AddWithValue("count", (object?)progress.SourceCount ?? DBNull.Value);
        command.Parameters.AddWithValue("read", progress.Read);
        command.Parameters.AddWithValue("imported", progress.Imported);
        command.Parameters.AddWithValue("stored", (object?)progress.Stored ?? DBNull.Value);
        command.Parameters.AddWithValue("done", progress.Done);
        command.Parameters.Add(new NpgsqlParameter("skipped", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(progress.Skipped) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task EndAsync(string site, string state, string? message, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("UPDATE site_imports SET state = @state, message = @m, updated_at = @now WHERE tenant_id = @t");
        command.Parameters.AddWithValue("t", site);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("m", (object?)message ?? DBNull.Value);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The valid documents the site holds in <paramref name="collection"/>: what the final comparison with the source counts.</summary>
    public async Task<long> CountStoredAsync(string site, Collection collection, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"SELECT count(*) FROM {CollectionNames.Of(collection)} WHERE tenant_id = @t AND is_valid");
        command.Parameters.AddWithValue("t", site);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
