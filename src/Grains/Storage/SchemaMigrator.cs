using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nocturne.Grains.Storage;

/// <summary>
/// Applies the numbered scripts of deploy/sql that a database has not seen yet.
/// Idempotent and safe to run from several processes at once: an advisory lock
/// serialises them and each script runs in its own transaction.
/// </summary>
public sealed class SchemaMigrator(string connectionString, ILogger? logger = null)
{
    // Arbitrary constant that identifies "Nocturne schema migration" among advisory locks.
    private const long AdvisoryLockKey = 0x4E6F6374_75726E65;

    internal const string CreateHistoryTable = """
        CREATE TABLE IF NOT EXISTS nocturne_schema_history (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    /// <summary>Applies every missing script and returns the versions applied now.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            command.Parameters.AddWithValue("key", AdvisoryLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using (var create = new NpgsqlCommand(CreateHistoryTable, connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var applied = await SchemaVersionReader.ReadAppliedAsync(connection, cancellationToken) ?? [];
            var newlyApplied = new List<int>();
            foreach (var migration in SchemaScripts.All.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                // No time limit: a migration may rewrite whole tables (0010 rewrites every document
                // table), minutes on a large database; a timeout would roll it back, every time.
                await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction) { CommandTimeout = 0 })
                {
                    await script.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand(
                    "INSERT INTO nocturne_schema_history (version, name) VALUES (@version, @name)", connection, transaction))
                {
                    record.Parameters.AddWithValue("version", migration.Version);
                    record.Parameters.AddWithValue("name", migration.Name);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                logger?.LogInformation("Applied schema migration {Migration}", migration.Name);
                newlyApplied.Add(migration.Version);
            }

            return newlyApplied;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
