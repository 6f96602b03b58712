using System.Diagnostics;

namespace Nocturne.Bench;

/// <summary>
/// The server's resident memory with its garbage collected: dotnet-gcdump (when run.sh installed
/// it) forces a full, compacting collection in the server while it takes a heap snapshot, so the
/// RSS read after it counts what is live plus what the GC keeps committed, not garbage that has
/// simply not been collected yet. The snapshot's type report (largest first) is kept next to it:
/// it is what tells where the memory per site goes.
/// </summary>
public static class MemoryProbe
{
    public static async Task<long> SettledRssAsync(int pid, string? gcdump, string? reportPath)
    {
        if (gcdump is null || !File.Exists(gcdump))
        {
            return Rss(pid);
        }

        var dump = Path.Combine(Path.GetTempPath(), $"nocturne-bench-{pid}-{Environment.TickCount64}.gcdump");
        try
        {
            await RunAsync(gcdump, ["collect", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", dump]);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var rss = Rss(pid);
            if (reportPath is not null && File.Exists(dump))
            {
                await File.WriteAllTextAsync(reportPath, await RunAsync(gcdump, ["report", dump]));
            }

            return rss;
        }
        finally
        {
            File.Delete(dump);
        }
    }

    public static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static async Task<string> RunAsync(string tool, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"memory: {Path.GetFileName(tool)} {arguments[0]} failed: {await error}");
        }

        return await output;
    }
}
