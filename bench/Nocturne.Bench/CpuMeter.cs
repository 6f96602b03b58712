namespace Nocturne.Bench;

/// <summary>
/// CPU time spent by the server, its PostgreSQL and the load generator during a phase, read from
/// /proc. On a shared two-core machine the request rate moves with everyone else's load; the CPU
/// each request costs each part does not, so it is what carries from one run to the next.
/// </summary>
public sealed class CpuMeter
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly Func<int> _serverPid;
    private readonly string? _postgresData;

    public CpuMeter(Func<int> serverPid, string? postgresData)
    {
        _serverPid = serverPid;
        _postgresData = postgresData;
    }

    public Sample Take() => new(
        ProcessSeconds(_serverPid()),
        PostgresSeconds(),
        System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);

    /// <summary>Microseconds of CPU per request for each part between two samples.</summary>
    public static string PerRequest(Sample before, Sample after, long requests)
    {
        if (requests == 0)
        {
            return "no requests";
        }

        string Micro(double seconds) => double.IsNaN(seconds) ? "?" : $"{seconds * 1e6 / requests:F0}";
        return $"CPU per request: server {Micro(after.Server - before.Server)} µs, PostgreSQL {Micro(after.Postgres - before.Postgres)} µs, load generator {Micro(after.Generator - before.Generator)} µs";
    }

    public static double ProcessSeconds(int pid, bool withEndedChildren = false)
    {
        try
        {
            // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th,
            // cutime and cstime (children waited for) the 14th and 15th.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12]) + (withEndedChildren ? long.Parse(fields[13]) + long.Parse(fields[14]) : 0)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private double PostgresSeconds()
    {
        if (_postgresData is null || !File.Exists(Path.Combine(_postgresData, "postmaster.pid")))
        {
            return double.NaN;
        }

        var postmaster = int.Parse(File.ReadLines(Path.Combine(_postgresData, "postmaster.pid")).First());
        // The postmaster's own time and that of the backends that ended (its reaped children), then the live ones.
        var total = ProcessSeconds(postmaster, withEndedChildren: true);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1]) == postmaster)
                {
                    total += (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
                }
            }
            catch (IOException)
            {
                // The backend ended between the listing and the read; its time is lost, as it would be to ps.
            }
        }

        return total;
    }

    public readonly record struct Sample(double Server, double Postgres, double Generator);
}
