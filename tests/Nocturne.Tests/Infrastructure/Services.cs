using System.Diagnostics;

namespace Nocturne.Tests.Infrastructure;

/// <summary>Runs deploy/local/services.sh, the same script that starts PostgreSQL and Redis for users.</summary>
public static class Services
{
    public static async Task<string> RunAsync(params string[] args)
    {
        var script = Path.Combine(TestServices.RepositoryRoot, "deploy", "local", "services.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"services.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }
}
