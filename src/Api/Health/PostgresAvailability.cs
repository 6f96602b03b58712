using Nocturne.Grains.Storage;
using Npgsql;

namespace Nocturne.Api.Health;

/// <summary>
/// What this process currently knows about PostgreSQL. A background probe keeps it fresh
/// so that an outage turns requests into fast 503s instead of slow timeouts, and so that
/// recovery is noticed without a restart.
/// </summary>
public sealed class PostgresAvailability(PostgresConnection postgres, TimeProvider time, ILogger<PostgresAvailability> logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);
    private volatile bool _available = true;
    private string? _lastError;

    public bool IsAvailable => _available;

    public string? LastError => _lastError;

    public DateTimeOffset LastCheck { get; private set; }

    /// <summary>Checks the database now and updates the known state.</summary>
    public async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await using var command = postgres.DataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            MarkAvailable();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            ReportFailure(ex);
            return false;
        }
        finally
        {
            LastCheck = time.GetUtcNow();
        }
    }

    public void ReportFailure(Exception ex)
    {
        _lastError = ex.GetBaseException().Message;
        if (_available)
        {
            _available = false;
            logger.LogError("PostgreSQL became unavailable: {Error}", _lastError);
        }

        // Pooled connections to a database that went away are dead; drop them so that
        // the first request after recovery does not fail on a stale socket.
        NpgsqlConnection.ClearAllPools();
    }

    // Internal for the outage sweep, which lets every request meet the outage itself as the first one after it does.
    internal void MarkAvailable()
    {
        if (!_available)
        {
            logger.LogInformation("PostgreSQL is available again");
        }

        _lastError = null;
        _available = true;
    }
}
