using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Nocturne.Grains.Import;

/// <summary>
/// Imports the operator started through the API, running on this host in the background: one per
/// site at a time; stopped (and resumable) when the host stops. Progress is read from PostgreSQL,
/// so any node answers for an import running on another.
/// </summary>
public sealed class SiteImportJobs(SiteImporter importer, ILogger<SiteImportJobs> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Starts the import unless one for <paramref name="site"/> runs here already; false then.</summary>
    public bool TryStart(string site, IImportSource source, SiteImportOptions options)
    {
        var gate = new TaskCompletionSource();
        if (!_running.TryAdd(site, gate.Task))
        {
            _ = source.DisposeAsync().AsTask();
            return false;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await using (source)
                {
                    await importer.RunAsync(site, source, options, cancellationToken: _stopping.Token);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning(ex, "Background import into site {Site} failed", site);
            }
            finally
            {
                _running.TryRemove(site, out _);
                gate.SetResult();
            }
        });
        return true;
    }

    public bool IsRunning(string site) => _running.ContainsKey(site);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Values).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
