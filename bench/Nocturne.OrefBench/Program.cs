using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.OrefInterop;
using Nocturne.OrefBench;

// determine-basal and the whole loop on oref0's 600 scenarios: oref-rs through the C ABI, through
// the OrefGrain in a local silo, and (from tools/oref0-vectors/bench.js) oref0 in node on the
// same scenarios. bench/oref.sh runs all three and prints them side by side.
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "");
var root = options.GetValueOrDefault("root", Directory.GetCurrentDirectory());
var rounds = int.Parse(options.GetValueOrDefault("rounds", "5"), CultureInfo.InvariantCulture);
var nodeJson = options.GetValueOrDefault("node");

var scenarios = Scenarios.Load(Path.Combine(root, "oref-rs", "tests", "vectors", "loop.json"));
Console.WriteLine($"oref bench: {scenarios.Count} oref0 scenarios x {rounds} rounds; {Environment.ProcessorCount} cores, .NET {Environment.Version}, liboref ABI {OrefLibrary.AbiVersion}");

var decisions = scenarios.Select(s => s.DetermineBasal).ToList();
var loops = scenarios.Select(s => s.Suggest).ToList();

// Warm up both paths (JIT, library load) before timing.
foreach (var request in decisions.Take(50))
{
    OrefLibrary.DetermineBasal(request);
}

var ffiDecide = Measure(rounds, decisions, r => { OrefLibrary.DetermineBasal(r); return Task.CompletedTask; });
var ffiLoop = Measure(1, loops.Take(200).ToList(), r => { OrefLibrary.Suggest(r); return Task.CompletedTask; });

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: 11_611, gatewayPort: 30_611));
using var host = builder.Build();
await host.StartAsync();
var oref = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IOrefGrain>(0);
foreach (var request in decisions.Take(50))
{
    await oref.DetermineBasalAsync(request);
}

var grainDecide = Measure(rounds, decisions, r => oref.DetermineBasalAsync(r));
var grainLoop = Measure(1, loops.Take(200).ToList(), r => oref.SuggestAsync(r));
await host.StopAsync();

Console.WriteLine();
Console.WriteLine("| path | call | calls | mean µs | p50 µs | p99 µs |");
Console.WriteLine("|---|---|---|---|---|---|");
Row("oref-rs via C ABI (FFI)", "determine-basal", ffiDecide);
Row("oref-rs via OrefGrain", "determine-basal", grainDecide);
if (nodeJson is { Length: > 0 } && File.Exists(nodeJson))
{
    using var node = JsonDocument.Parse(File.ReadAllText(nodeJson));
    var n = node.RootElement;
    Row($"oref0 0.7.1 in node {n.GetProperty("node").GetString()}", "determine-basal", Latency.From(n.GetProperty("determineBasal")));
    Row("oref-rs via C ABI (FFI)", "whole loop", ffiLoop);
    Row("oref-rs via OrefGrain", "whole loop", grainLoop);
    Row($"oref0 0.7.1 in node {n.GetProperty("node").GetString()}", "whole loop", Latency.From(n.GetProperty("wholeLoop")));
}
else
{
    Row("oref-rs via C ABI (FFI)", "whole loop", ffiLoop);
    Row("oref-rs via OrefGrain", "whole loop", grainLoop);
    Console.WriteLine("(node figures missing: run bench/oref.sh, which installs oref0 and times it first)");
}

return 0;

static Latency Measure<T>(int rounds, List<T> requests, Func<T, Task> call)
{
    var samples = new List<double>(rounds * requests.Count);
    for (var round = 0; round < rounds; round++)
    {
        foreach (var request in requests)
        {
            var started = Stopwatch.GetTimestamp();
            call(request).GetAwaiter().GetResult();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
    }

    return Latency.Of(samples);
}

static void Row(string path, string call, Latency l) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {path} | {call} | {l.Calls} | {l.Mean:F1} | {l.P50:F1} | {l.P99:F1} |"));
