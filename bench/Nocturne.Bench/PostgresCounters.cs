using System.Diagnostics;

namespace Nocturne.Bench;

/// <summary>
/// PostgreSQL's committed transactions and WAL fsyncs, read with psql: per upload they show how far
/// group commit batches (one fsync for many acknowledged uploads) and what else writes per request.
/// </summary>
public sealed class PostgresCounters(string? psql, string? port)
{
    public (long Commits, long Fsyncs)? Take()
    {
        if (psql is null || port is null)
        {
            return null;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(psql, ["-h", "127.0.0.1", "-p", port, "-U", "nocturne", "-d", "nocturne_bench", "-At", "-c",
                "SELECT (SELECT sum(xact_commit) FROM pg_stat_database), (SELECT wal_sync FROM pg_stat_wal)"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var line = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            var fields = line.Split('|');
            return fields.Length == 2 ? (long.Parse(fields[0]), long.Parse(fields[1])) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Transactions and fsyncs per request between two readings.</summary>
    public static string PerRequest((long Commits, long Fsyncs)? before, (long Commits, long Fsyncs)? after, long requests) =>
        before is { } b && after is { } a && requests > 0
            ? $"PostgreSQL per request: {(a.Commits - b.Commits) / (double)requests:F3} transactions, {(a.Fsyncs - b.Fsyncs) / (double)requests:F3} WAL fsyncs ({requests / (double)Math.Max(1, a.Fsyncs - b.Fsyncs):F1} requests per fsync)"
            : "PostgreSQL per request: not read";
}
