using System.Diagnostics;
using System.Globalization;

namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of a test's own (started with deploy/local/services.sh), for tests
/// that stop and start the database and must not disturb the shared one.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dir;
    private readonly int _port;

    private PrivatePostgres(string dir, int port, string connectionString)
    {
        _dir = dir;
        _port = port;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var root = Environment.GetEnvironmentVariable("NOCTURNE_TEST_DATA") ?? Path.Combine(TestServices.RepositoryRoot, ".data", "test");
        var dir = Path.Combine(root, $"pg-{Guid.NewGuid():N}"[..11]);
        var port = FreePorts.Next();
        var portText = port.ToString(CultureInfo.InvariantCulture);
        await RunAsync("pg-start", dir, portText);
        await RunAsync("pg-create-db", dir, portText, "nocturne");
        var connection = (await RunAsync("pg-connection", dir, portText, "nocturne")).Trim();
        return new PrivatePostgres(dir, port, connection);
    }

    public Task StopAsync() => RunAsync("pg-stop", _dir);

    public Task StartAgainAsync() => RunAsync("pg-start", _dir, _port.ToString(CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the test script, which wipes .data/test on its next run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<string> RunAsync(params string[] args)
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
