using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Nocturne.Bench;

/// <summary>
/// How long the sites take to be live again after the API process (and the silo it hosts) is
/// restarted. The server is stopped gracefully (SIGTERM, as a deployment does) and started again
/// with the same environment; a site is live once <c>entries/current.json</c> answers 200 with its
/// newest reading, which it can only do after its patient grain has activated and loaded its
/// window from PostgreSQL. 64 clients ask every site, in random order, from the moment the server
/// accepts connections; a site that fails (an error, a timeout) is asked again later and counted
/// as a failure. Every 10 s a line tells how many sites are live and the server's threads; at the
/// end the peak thread count and the CPU the server and PostgreSQL spent. run.sh learns the new
/// process id from <c>pidFile</c>.
/// </summary>
public static class SiteRestart
{
    public sealed record Options(string ApiDirectory, string PidFile, Uri Health, TimeSpan GiveUpAfter, string? TraceTool, string? CountersTool, string? TraceDirectory);

    public sealed record Result(Process Server, TimeSpan Stopped, TimeSpan Accepting, TimeSpan? AllLive, int Live, int Sites, long Failures,
        int PeakThreads, double ServerCpuSeconds, double PostgresCpuSeconds)
    {
        public string Summary() =>
            $"stopped after {Stopped.TotalSeconds:F1} s, accepting requests after {Accepting.TotalSeconds:F1} s, " +
            (AllLive is { } all ? $"all {Sites} sites live after {all.TotalSeconds:F1} s" : $"only {Live} of {Sites} sites live when the bench gave up") +
            $" ({Failures} failed answers, each asked again); server threads at most {PeakThreads}; CPU until then: server {ServerCpuSeconds:F1} s, PostgreSQL {PostgresCpuSeconds:F1} s";
    }

    public static async Task<Result> MeasureAsync(int pid, int sites, int concurrency, Options options, CpuMeter cpu,
        Func<int, HttpRequestMessage> currentOf, HttpClient http)
    {
        var restarted = Stopwatch.StartNew();
        var postgresBefore = cpu.Take().Postgres;
        using (var old = Process.GetProcessById(pid))
        {
            using var kill = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await old.WaitForExitAsync(timeout.Token);
        }

        var stopped = restarted.Elapsed;
        var log = Path.Combine(Path.GetDirectoryName(options.PidFile)!, "api-restarted.log");
        var server = Process.Start(new ProcessStartInfo("dotnet", ["Nocturne.Api.dll"])
        {
            WorkingDirectory = options.ApiDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _ = DrainAsync(server.StandardOutput, log);
        _ = DrainAsync(server.StandardError, log + ".err");
        await File.WriteAllTextAsync(options.PidFile, server.Id.ToString(CultureInfo.InvariantCulture));

        using var done = new CancellationTokenSource();
        var peakThreads = 0;
        var live = 0;
        var sampler = Task.Run(async () =>
        {
            var nextReport = TimeSpan.FromSeconds(10);
            while (!done.IsCancellationRequested)
            {
                peakThreads = Math.Max(peakThreads, Threads(server.Id));
                if (restarted.Elapsed >= nextReport)
                {
                    Console.WriteLine($"restart: {restarted.Elapsed.TotalSeconds:F0} s: {Volatile.Read(ref live)} of {sites} sites live, server threads {Threads(server.Id)}, load average {LoadAverage()}");
                    nextReport += TimeSpan.FromSeconds(10);
                }

                try
                {
                    await Task.Delay(250, done.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        var diagnostics = StartDiagnostics(server.Id, options);

        var giveUp = restarted.Elapsed + options.GiveUpAfter;
        while (restarted.Elapsed < giveUp)
        {
            try
            {
                using var response = await http.GetAsync(options.Health);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        var accepting = restarted.Elapsed;
        var waiting = new ConcurrentQueue<int>(Enumerable.Range(0, sites).OrderBy(_ => Random.Shared.Next()));
        long failures = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (restarted.Elapsed < giveUp && waiting.TryDequeue(out var site))
            {
                bool answered;
                try
                {
                    using var message = currentOf(site);
                    using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead);
                    answered = response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Length >= 10;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    answered = false;
                }

                if (answered)
                {
                    Interlocked.Increment(ref live);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                    waiting.Enqueue(site);
                    await Task.Delay(200);
                }
            }
        }));

        var allLive = live == sites ? restarted.Elapsed : (TimeSpan?)null;
        var serverCpu = CpuMeter.ProcessSeconds(server.Id);
        var postgresCpu = cpu.Take().Postgres - postgresBefore;
        await done.CancelAsync();
        await sampler;
        foreach (var tool in diagnostics)
        {
            await tool.WaitForExitAsync();
            tool.Dispose();
        }

        return new Result(server, stopped, accepting, allLive, live, sites, failures, peakThreads, serverCpu, postgresCpu);
    }

    // A sampled thread-time trace and the runtime's counters of the restarted server's first 60 s (when asked for).
    private static List<Process> StartDiagnostics(int pid, Options options)
    {
        var started = new List<Process>();
        if (options.TraceDirectory is not { } directory)
        {
            return started;
        }

        Directory.CreateDirectory(directory);
        // The runtime opens its diagnostics port as it starts.
        Thread.Sleep(300);
        var id = pid.ToString(CultureInfo.InvariantCulture);
        if (options.TraceTool is { } trace)
        {
            started.Add(Process.Start(new ProcessStartInfo(trace, ["collect", "-p", id, "--profile", "dotnet-sampled-thread-time", "--duration", "00:00:00:40",
                "-o", Path.Combine(directory, "restart.nettrace")]) { RedirectStandardOutput = true })!);
            _ = started[^1].StandardOutput.ReadToEndAsync();
        }

        if (options.CountersTool is { } counters)
        {
            started.Add(Process.Start(new ProcessStartInfo(counters, ["collect", "-p", id, "--counters", "System.Runtime", "--refresh-interval", "1", "--duration", "00:00:01:30",
                "--format", "csv", "-o", Path.Combine(directory, "restart-counters.csv")]) { RedirectStandardOutput = true })!);
            _ = started[^1].StandardOutput.ReadToEndAsync();
        }

        return started;
    }

    private static int Threads(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
            return line is null ? 0 : int.Parse(line.Split(':', StringSplitOptions.TrimEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static async Task DrainAsync(StreamReader from, string path)
    {
        await using var to = File.CreateText(path);
        while (await from.ReadLineAsync() is { } line)
        {
            await to.WriteLineAsync(line);
        }
    }
}
