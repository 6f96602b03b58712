using Npgsql;

namespace Nocturne.Grains.Storage;

/// <summary>Reads which schema scripts a database has applied.</summary>
public static class SchemaVersionReader
{
    /// <summary>The applied versions, or null when the database has never been migrated.</summary>
    public static async Task<HashSet<int>?> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass('nocturne_schema_history') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return null;
        }

        var versions = new HashSet<int>();
        await using var command = new NpgsqlCommand("SELECT version FROM nocturne_schema_history", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }
}
