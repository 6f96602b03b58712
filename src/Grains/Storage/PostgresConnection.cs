using Npgsql;

namespace Nocturne.Grains.Storage;

/// <summary>The PostgreSQL database of the deployment: one pooled data source for our own queries.</summary>
public sealed class PostgresConnection : IAsyncDisposable
{
    public PostgresConnection(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
