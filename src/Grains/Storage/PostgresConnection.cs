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
        DataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true });
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
