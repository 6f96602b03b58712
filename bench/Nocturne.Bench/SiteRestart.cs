using System.Diagnostics;

namespace Nocturne.Bench;

/// <summary>
/// How long the sites take to be live again after the API process (and the silo it hosts) is
/// restarted. The server is stopped gracefully (SIGTERM, as a deployment does) and started again
/// with the same environment; a site is live once <c>entries/current.json</c> answers 200 with its
/// newest reading, which it can only do after its patient grain has activated and loaded its
/// window from PostgreSQL. 64 clients ask every site once, in random order, from the moment the
/// server accepts connections. run.sh learns the new process id from <c>pidFile</c>.
/// </summary>
public static class SiteRestart
{
    public static async Task<Process> RestartAsync(int pid, string apiDirectory, string pidFile, Uri health)
    {
        using (var old = Process.GetProcessById(pid))
        {
            using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await old.WaitForExitAsync(timeout.Token);
        }

        var log = Path.Combine(Path.GetDirectoryName(pidFile)!, "api-restarted.log");
        var server = Process.Start(new ProcessStartInfo("dotnet", ["Nocturne.Api.dll"])
        {
            WorkingDirectory = apiDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _ = DrainAsync(server.StandardOutput, log);
        _ = DrainAsync(server.StandardError, log + ".err");
        await File.WriteAllTextAsync(pidFile, server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var http = new HttpClient();
        var started = Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromMinutes(5))
        {
            try
            {
                using var response = await http.GetAsync(health);
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

        return server;
    }

    private static async Task DrainAsync(StreamReader from, string path)
    {
        await using var to = File.CreateText(path);
        while (await from.ReadLineAsync() is { } line)
        {
            await to.WriteLineAsync(line);
        }
    }
}
