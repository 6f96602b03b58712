namespace Nocturne.Grains.Storage;

/// <summary>
/// How many grain activations of this silo load their state from PostgreSQL at once. After a
/// restart every site's grains activate together (thousands of followers and uploaders come back
/// within seconds); unbounded, they would all wait inside the connection pool, whose wait times
/// out (an activation failure, a 503) and leaves no connection for writes, while each loaded
/// window is decoded on a starved CPU. Bounded, they queue here in arrival order, each load runs
/// at full speed, and the pool keeps room for the writers' group commits and the reads.
/// </summary>
public sealed class ActivationLoadGate : IDisposable
{
    private readonly SemaphoreSlim _slots;

    public ActivationLoadGate(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Width = width;
        _slots = new SemaphoreSlim(width, width);
    }

    /// <summary>
    /// Half the pool: a load is mostly a round trip, and on a loaded database that round trip is
    /// long, so a narrower bound (8 was measured) starves the sites behind a burst of alarm ticks.
    /// </summary>
    public static ActivationLoadGate For(string connectionString) =>
        new(Math.Max(1, new Npgsql.NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize / 2));

    public int Width { get; }

    public void Dispose() => _slots.Dispose();

    /// <summary>
    /// Runs the load when a slot is free. An activation that Orleans gives up on while it waits
    /// (its cancellation) fails as the database being busy, which callers answer with a 503 and
    /// Retry-After, not as an unexplained cancellation.
    /// </summary>
    public async Task<T> LoadAsync<T>(Func<Task<T>> load, CancellationToken cancellationToken)
    {
        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new Interfaces.Storage.StorageUnavailableException("Too many sites are loading from the database at once; retry shortly", ex);
        }

        try
        {
            return await load();
        }
        finally
        {
            _slots.Release();
        }
    }
}
