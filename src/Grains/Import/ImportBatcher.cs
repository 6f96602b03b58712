using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Import;

/// <summary>
/// The reading and checking stages of a collection's import, running ahead of its writes: the next
/// source page is fetched while one is checked, and checked pages are joined into batches of about
/// <see cref="BatchSize"/> documents (one write, one commit and one saved cursor each, whatever the
/// source's page size). At most <see cref="BatchesAhead"/> batches wait for the writer, so memory
/// stays bounded. When the source fails part way, what was read before is still handed on, then the
/// failure.
/// </summary>
public sealed class ImportBatcher(IImportSource source, Collection collection, TimeProvider time)
{
    public const int BatchSize = 5000;

    private const int BatchesAhead = 2;

    public TimeSpan Reading { get; private set; }

    public TimeSpan Checking { get; private set; }

    /// <summary>
    /// Starts reading after <paramref name="cursor"/>; the batches come in source order. The task ends
    /// once the source is closed; cancel <paramref name="cancellationToken"/> to stop it early.
    /// </summary>
    public (ChannelReader<CheckedBatch> Batches, Task Reader) Start(string? cursor, CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<CheckedBatch>(new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
        return (batches.Reader, Task.Run(() => ProduceAsync(batches.Writer, cursor, cancellationToken), CancellationToken.None));
    }

    private async Task ProduceAsync(ChannelWriter<CheckedBatch> output, string? cursor, CancellationToken cancellationToken)
    {
        var batch = new Builder(collection, time.GetUtcNow());
        Exception? failure = null;
        var pages = source.ReadAsync(collection, cursor, cancellationToken).GetAsyncEnumerator(cancellationToken);
        // A Task, not the ValueTask: it may be awaited twice (loop, then finally).
        Task<bool>? next = null;
        try
        {
            var mark = time.GetTimestamp();
            next = pages.MoveNextAsync().AsTask();
            while (await next)
            {
                var page = pages.Current;
                next = pages.MoveNextAsync().AsTask();
                Reading += time.GetElapsedTime(mark);
                mark = time.GetTimestamp();
                batch.Add(page);
                Checking += time.GetElapsedTime(mark);
                if (batch.Count >= BatchSize)
                {
                    await output.WriteAsync(batch.Build(), cancellationToken);
                    batch = new Builder(collection, time.GetUtcNow());
                }

                mark = time.GetTimestamp();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
        }
        finally
        {
            // An async iterator must not be disposed while it reads: let a read started ahead end first.
            if (next is not null)
            {
                await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await pages.DisposeAsync();
        }

        // What was read before a source failure is still written (after a cancellation nothing more is).
        if (batch.Pages > 0)
        {
            try
            {
                await output.WriteAsync(batch.Build(), cancellationToken);
            }
            catch (OperationCanceledException ex)
            {
                failure ??= ex;
            }
        }

        output.TryComplete(failure);
    }

    private sealed class Builder(Collection collection, DateTimeOffset now)
    {
        private readonly StringBuilder _json = new("[");
        // The site keeps one entry per date and type (treatments: created_at and eventType); within a batch that is ours to see.
        private readonly HashSet<(long, string?)> _keys = [];
        private readonly Dictionary<string, long> _skipped = [];
        private int _accepted;
        private long _read;
        private string? _cursor;

        public long Count => _read;

        public int Pages { get; private set; }

        public void Add(ImportPage page)
        {
            foreach (var reason in page.Unreadable)
            {
                Skip(reason);
            }

            foreach (var document in page.Documents)
            {
                if (ImportNormalizer.Normalize(collection, document, now, out var key) is { } problem)
                {
                    Skip(problem);
                }
                else if (collection is Collection.Entries or Collection.Treatments && !_keys.Add(key))
                {
                    Skip(SiteImporter.AlreadyHere);
                }
                else
                {
                    _json.Append(_accepted++ == 0 ? "" : ",").Append(document.ToJsonString());
                }
            }

            _read += page.Documents.Count + page.Unreadable.Count;
            _cursor = page.Cursor;
            Pages++;
        }

        public CheckedBatch Build() => new(_accepted == 0 ? null : _json.Append(']').ToString(), _accepted, _read, _skipped, _cursor!);

        private void Skip(string reason) => _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;
    }
}
