using System.Diagnostics;

namespace Nocturne.Bench;

/// <summary>
/// PostgreSQL's committed transactions, WAL fsyncs and WAL volume, read with psql: per upload they show
/// how far group commit batches (one fsync for many acknowledged uploads), what else writes per request,
/// and how much of the WAL is full-page images (the first change of each page after a checkpoint: more
/// pages touched between checkpoints, as with more sites, means more of them).
/// </summary>
public sealed class PostgresCounters(string? psql, string? port)
{
    public readonly record struct Reading(long Commits, long Fsyncs, long WalBytes, long FullPageImages);

    public Reading? Take()
    {
        if (psql is null || port is null)
        {
            return null;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(psql, ["-h", "127.0.0.1", "-p", port, "-U", "nocturne", "-d", "nocturne_bench", "-At", "-c",
                "SELECT (SELECT sum(xact_commit) FROM pg_stat_database), wal_sync, wal_bytes, wal_fpi FROM pg_stat_wal"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var line = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            var fields = line.Split('|');
            return fields.Length == 4 ? new Reading(long.Parse(fields[0]), long.Parse(fields[1]), (long)decimal.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), long.Parse(fields[3])) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Transactions, fsyncs and WAL per request between two readings.</summary>
    public static string PerRequest(Reading? before, Reading? after, long requests) =>
        before is { } b && after is { } a && requests > 0
            ? $"PostgreSQL per request: {(a.Commits - b.Commits) / (double)requests:F3} transactions, {(a.Fsyncs - b.Fsyncs) / (double)requests:F3} WAL fsyncs ({requests / (double)Math.Max(1, a.Fsyncs - b.Fsyncs):F1} requests per fsync), " +
              $"{(a.WalBytes - b.WalBytes) / (double)requests / 1024:F1} KiB of WAL, {(a.FullPageImages - b.FullPageImages) / (double)requests:F2} full-page images"
            : "PostgreSQL per request: not read";
}
