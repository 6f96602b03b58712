using System.Diagnostics;
using MongoDB.Driver;

namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// A real MongoDB-wire server on loopback: jongodb's in-memory server from npm, installed pinned by
/// deploy/local/test.sh (<c>NOCTURNE_TEST_MONGO_SERVER</c>). Each test takes its own database.
/// </summary>
public sealed class MongoServer : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public string Url(string database) => $"mongodb://127.0.0.1:{Port}/{database}";

    public IMongoDatabase Database(string name) => new MongoClient(Url(name)).GetDatabase(name);

    public async Task InitializeAsync()
    {
        var binary = Environment.GetEnvironmentVariable("NOCTURNE_TEST_MONGO_SERVER");
        Assert.True(binary is not null && File.Exists(binary),
            "NOCTURNE_TEST_MONGO_SERVER must name jongodb's binary: run the tests through deploy/local/test.sh, which installs it");
        Port = FreePorts.Next();
        _process = Process.Start(new ProcessStartInfo(binary!, [$"--host=127.0.0.1", $"--port={Port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var ready = _process.StandardOutput.ReadLineAsync();
        _ = _process.StandardError.ReadToEndAsync();
        var line = await ready.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(line?.StartsWith("JONGODB_URI=", StringComparison.Ordinal) == true, $"jongodb did not start: {line}");
        _ = _process.StandardOutput.ReadToEndAsync();
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
