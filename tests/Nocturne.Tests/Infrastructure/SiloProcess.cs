using System.Diagnostics;
using System.Globalization;

namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// The headless silo (src/Silo) as a separate process, so that a test can kill it the way a
/// crash or <c>kill -9</c> does: no graceful leave, sockets dropped mid-call.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process) => _process = process;

    public static SiloProcess Start(string postgres, string redis, string serviceId)
    {
        var dll = Directory.GetFiles(Path.Combine(TestServices.RepositoryRoot, "src", "Silo", "bin"), "Nocturne.Silo.dll", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new InvalidOperationException("Build src/Silo first (dotnet build Nocturne.sln)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.Environment["ConnectionStrings__Postgres"] = postgres;
        start.Environment["ConnectionStrings__Redis"] = redis;
        start.Environment["Cluster__Mode"] = "Redis";
        start.Environment["Cluster__ServiceId"] = serviceId;
        start.Environment["Cluster__ClusterId"] = serviceId;
        start.Environment["Cluster__SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        start.Environment["Cluster__GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SiloProcess(process);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: the silo vanishes without telling anyone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
