using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Nocturne.Bench;

/// <summary>
/// The ceiling for a read: Kestrel answering a fixed body of the same size as ours, with no work
/// behind it (a day of readings as entries.json?count=288 gives it, and a small current.json).
/// Runs as its own process, so that it shares the cores with the load generator as the server does.
/// </summary>
public static class FixedAnswerServer
{
    /// <summary>Serves <c>/fixed/{n}</c>: a JSON array of n bytes.</summary>
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var bodies = new System.Collections.Concurrent.ConcurrentDictionary<int, byte[]>();
        app.MapGet("/fixed/{bytes:int}", (int bytes) =>
            Results.Bytes(bodies.GetOrAdd(Math.Clamp(bytes, 2, 10_000_000), n => Encoding.UTF8.GetBytes("[" + new string(' ', n - 2) + "]")), "application/json"));
        await app.RunAsync();
    }
}
