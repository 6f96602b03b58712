using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Storage;
using Npgsql;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Group commit for the silo: the patient grains (each still the single writer of its site) hand
/// their prepared rows here and wait; whatever is waiting is written in one round trip and one
/// transaction, so a thousand uploading sites cost a few commits (fsyncs) instead of a thousand.
/// A write is acknowledged only once its transaction has committed. When a batch fails because
/// the database refused a row, each write is tried again alone, so one site's bad row fails only
/// that site's write; when the database is gone, every write of the batch fails (nothing is acknowledged).
/// </summary>
public sealed class DocumentCommitQueue : IAsyncDisposable
{
    /// <summary>Batches in flight at once: while one commits, the next fills.</summary>
    private const int Committers = 2;

    private const int MaxRowsPerBatch = 10_000;

    private readonly PostgresConnection _postgres;
    private readonly ILogger<DocumentCommitQueue> _logger;
    private readonly Channel<PendingWrite> _pending = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _committers;

    public DocumentCommitQueue(PostgresConnection postgres, ILogger<DocumentCommitQueue> logger)
    {
        _postgres = postgres;
        _logger = logger;
        _committers = Enumerable.Range(0, Committers).Select(_ => Task.Run(CommitLoopAsync)).ToArray();
    }

    /// <summary>
    /// Inserts new identifiers and fully updates existing ones; completes once durable.
    /// <paramref name="texts"/>: each row's document as JSON, when the caller has it already.
    /// </summary>
    public Task WriteAsync(Collection collection, string tenant, IReadOnlyList<StoredDocument> rows, IReadOnlyList<string>? texts = null)
    {
        if (rows.Count == 0)
        {
            return Task.CompletedTask;
        }

        texts ??= rows.Select(r => r.Doc.ToJsonString()).ToList();
        var write = new PendingWrite(collection, tenant, rows, texts, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite(write), this);

        return write.Committed.Task;
    }

    private async Task CommitLoopAsync()
    {
        var carried = new List<PendingWrite>();
        while (carried.Count > 0 || await _pending.Reader.WaitToReadAsync())
        {
            var batch = new List<PendingWrite>();
            var sites = new HashSet<(Collection, string)>();
            var rows = 0;
            var next = new List<PendingWrite>();
            foreach (var write in carried.Concat(Drain()))
            {
                // One site's writes never share a statement (an upsert may touch a row once), so a second one waits for the next batch.
                if ((rows > 0 && rows + write.Rows.Count > MaxRowsPerBatch) || !sites.Add((write.Collection, write.Tenant)))
                {
                    next.Add(write);
                    continue;
                }

                batch.Add(write);
                rows += write.Rows.Count;
            }

            carried = next;
            if (batch.Count > 0)
            {
                await CommitAsync(batch);
            }
        }

        IEnumerable<PendingWrite> Drain()
        {
            for (var taken = 0; taken < MaxRowsPerBatch && _pending.Reader.TryRead(out var write); taken += write.Rows.Count)
            {
                yield return write;
            }
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        try
        {
            await ExecuteAsync(batch);
            batch.ForEach(w => w.Committed.TrySetResult());
        }
        catch (PostgresException ex) when (batch.Count > 1 && !StorageFailures.IsOutage(ex))
        {
            _logger.LogWarning("A batch of {Count} writes was refused ({SqlState}); writing each alone", batch.Count, ex.SqlState);
            foreach (var write in batch)
            {
                await CommitAsync([write]);
            }
        }
        catch (Exception ex)
        {
            batch.ForEach(w => w.Committed.TrySetException(ex));
        }
    }

    // One statement per collection in one round trip; a batch without a transaction runs as one (all or nothing).
    private async Task ExecuteAsync(List<PendingWrite> batch)
    {
        await using var connection = await _postgres.DataSource.OpenConnectionAsync();
        await using var statements = new NpgsqlBatch(connection);
        foreach (var group in batch.GroupBy(w => w.Collection))
        {
            var tenants = new List<string>();
            var rows = new List<StoredDocument>();
            var texts = new List<string>();
            foreach (var write in group)
            {
                tenants.AddRange(Enumerable.Repeat(write.Tenant, write.Rows.Count));
                rows.AddRange(write.Rows);
                texts.AddRange(write.Texts);
            }

            statements.BatchCommands.Add(DocumentStore.UpsertCommand(group.Key, tenants, rows, texts));
        }

        await statements.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_committers);
    }

    private sealed record PendingWrite(Collection Collection, string Tenant, IReadOnlyList<StoredDocument> Rows, IReadOnlyList<string> Texts, TaskCompletionSource Committed);
}
