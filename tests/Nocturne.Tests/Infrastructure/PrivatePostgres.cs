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
        await Services.RunAsync("pg-start", dir, portText);
        await Services.RunAsync("pg-create-db", dir, portText, "nocturne");
        var connection = (await Services.RunAsync("pg-connection", dir, portText, "nocturne")).Trim();
        return new PrivatePostgres(dir, port, connection);
    }

    public Task StopAsync() => Services.RunAsync("pg-stop", _dir);

    public Task StartAgainAsync() => Services.RunAsync("pg-start", _dir, _port.ToString(CultureInfo.InvariantCulture));

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
}
