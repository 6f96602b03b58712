using System.Globalization;

namespace Nocturne.Tests.Infrastructure;

/// <summary>A Redis server of a test's own (deploy/local/services.sh, with its persistence settings), for tests that restart it.</summary>
public sealed class PrivateRedis : IAsyncDisposable
{
    private readonly string _dir;
    private readonly int _port;

    private PrivateRedis(string dir, int port)
    {
        _dir = dir;
        _port = port;
    }

    public string ConnectionString => $"127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)},abortConnect=false";

    public static async Task<PrivateRedis> StartAsync()
    {
        var root = Environment.GetEnvironmentVariable("NOCTURNE_TEST_DATA") ?? Path.Combine(TestServices.RepositoryRoot, ".data", "test");
        var redis = new PrivateRedis(Path.Combine(root, $"redis-{Guid.NewGuid():N}"[..14]), FreePorts.Next());
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>Empties Redis, as a restart without persistence would.</summary>
    public async Task FlushAsync()
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
        foreach (var server in redis.GetServers())
        {
            await server.FlushAllDatabasesAsync();
        }
    }

    public Task StopAsync() => Services.RunAsync("redis-stop", _dir);

    public Task StartAgainAsync() => Services.RunAsync("redis-start", _dir, _port.ToString(CultureInfo.InvariantCulture));

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
    }
}
