using Npgsql;

namespace Nocturne.Grains.Storage;

/// <summary>The PostgreSQL database of the deployment: one pooled data source for our own queries.</summary>
public sealed class PostgresConnection : IAsyncDisposable
{
    public PostgresConnection(string connectionString)
    {
        ConnectionString = connectionString;
        // Nothing of ours leaves session state on a pooled connection (no SET, LISTEN, temp tables
        // or advisory locks through this source), so the DISCARD ALL that Npgsql would send before
        // each reuse is a statement per open for nothing: one per group commit, per query.
        // The same few statements run thousands of times a second (a v1 list, a window load, the
        // group commit's upsert): prepared after their fifth use on a connection, PostgreSQL stops
        // parsing and planning each (about a third of a 100-row list's database time). A connection
        // string that sets Max Auto Prepare itself keeps its value.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 256;
        }

        DataSource = NpgsqlDataSource.Create(builder);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
