using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nocturne.Bench;

// Load generator over HTTP on loopback against a running Nocturne (bench/run.sh starts one).
// Prints: single-entry upload throughput and latency with 64 concurrent uploaders across many
// sites, entries.json?count=288 read throughput and latency, and memory per active site.
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "");
var baseUrl = options.GetValueOrDefault("url", "http://127.0.0.1:1337");
var operatorKey = options["operator-key"];
var serverPid = int.Parse(options["pid"]);
var sites = int.Parse(options.GetValueOrDefault("sites", "1000"));
var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "64"));
var seconds = int.Parse(options.GetValueOrDefault("seconds", "20"));
var perSite = int.Parse(options.GetValueOrDefault("entries", "288"));

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(baseUrl),
    Timeout = TimeSpan.FromSeconds(60),
};
http.DefaultRequestHeaders.Add("X-Operator-Key", operatorKey);

Console.WriteLine($"Nocturne bench: {sites} sites, {concurrency} concurrent clients, {seconds} s per phase, server pid {serverPid}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

var rssBefore = Rss(serverPid);
var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
var secrets = new string[sites];
var setup = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, sites), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
{
    var id = $"b{run}-{i}";
    var secret = $"bench-secret-{id}";
    using var response = await http.PostAsJsonAsync("/api/admin/tenants", new { id, apiSecret = secret }, ct);
    response.EnsureSuccessStatusCode();
    secrets[i] = Sha1(secret);
});
Console.WriteLine($"created {sites} sites in {setup.Elapsed.TotalSeconds:F1} s");

// 24 h of 5-minute readings per site: every site's grain becomes active with a full window.
var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
setup.Restart();
await Parallel.ForEachAsync(Enumerable.Range(0, sites), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
{
    var entries = Enumerable.Range(0, perSite).Select(k => new { type = "sgv", date = now - (k * 300_000L) - 1000, sgv = 80 + (k % 120), direction = "Flat", device = "bench" }).ToArray();
    using var request = Request(HttpMethod.Post, i, "/api/v1/entries", entries);
    using var response = await http.SendAsync(request, ct);
    response.EnsureSuccessStatusCode();
});
Console.WriteLine($"seeded {sites} x {perSite} entries in {setup.Elapsed.TotalSeconds:F1} s");
var rssAfter = Rss(serverPid);
Console.WriteLine($"server RSS: {rssBefore / 1024.0 / 1024:F0} MiB before, {rssAfter / 1024.0 / 1024:F0} MiB with {sites} active sites => {(rssAfter - rssBefore) / (double)sites / 1024:F1} KiB per active site (window of {perSite} entries)");

// Phase 1: single-entry uploads, each to a random site, with a fresh timestamp.
var upload = new LatencyRecorder();
var sequence = 0L;
await RunAsync(async random =>
{
    var site = random.Next(sites);
    var date = now + Interlocked.Increment(ref sequence);
    using var request = Request(HttpMethod.Post, site, "/api/v1/entries", new { type = "sgv", date, sgv = 100 + random.Next(100), direction = "Flat", device = "bench" });
    await upload.TimeAsync(async () =>
    {
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode;
    });
});
Console.WriteLine($"POST /api/v1/entries (1 entry): {upload.Summary(TimeSpan.FromSeconds(seconds))}");

// Phase 2: followers reading a day of readings.
var read = new LatencyRecorder();
await RunAsync(async random =>
{
    using var request = Request(HttpMethod.Get, random.Next(sites), "/api/v1/entries.json?count=288", null);
    await read.TimeAsync(async () =>
    {
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        return response.IsSuccessStatusCode;
    });
});
Console.WriteLine($"GET /api/v1/entries.json?count=288: {read.Summary(TimeSpan.FromSeconds(seconds))}");
Console.WriteLine($"server RSS at the end: {Rss(serverPid) / 1024.0 / 1024:F0} MiB");
return 0;

async Task RunAsync(Func<Random, Task> step)
{
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
    {
        var random = new Random(w);
        while (!stop.IsCancellationRequested)
        {
            await step(random);
        }
    }));
}

HttpRequestMessage Request(HttpMethod method, int site, string path, object? body)
{
    var request = new HttpRequestMessage(method, $"/t/b{run}-{site}{path}");
    request.Headers.Add("api-secret", secrets[site]);
    if (body is not null)
    {
        request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
    }

    return request;
}

static long Rss(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}

#pragma warning disable CA5350 // Nightscout's api-secret wire format.
static string Sha1(string value) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5350
