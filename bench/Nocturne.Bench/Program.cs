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
var historyEntries = int.Parse(options.GetValueOrDefault("history-entries", "105000"));
var phases = options.GetValueOrDefault("phases", "load,history");

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(baseUrl),
    Timeout = TimeSpan.FromSeconds(60),
};
http.DefaultRequestHeaders.Add("X-Operator-Key", operatorKey);

Console.WriteLine($"Nocturne bench: {sites} sites, {concurrency} concurrent clients, {seconds} s per phase, server pid {serverPid}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
if (phases.Contains("clinic", StringComparison.Ordinal))
{
    await ClinicBench.RunAsync(http, run, int.Parse(options.GetValueOrDefault("patients", "500")), seconds, Math.Min(concurrency, 8));
    if (!phases.Contains("load", StringComparison.Ordinal))
    {
        return 0;
    }
}

if (!phases.Contains("load", StringComparison.Ordinal))
{
    await HistoryAsync();
    return 0;
}

var rssBefore = Rss(serverPid);
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
if (phases.Contains("history", StringComparison.Ordinal))
{
    await HistoryAsync();
}

return 0;

// A year of 5-minute entries on one site, then an AAPS-style v3 history sync in pages of 1000.
async Task HistoryAsync()
{
    var id = $"h{run}";
    var secret = $"bench-secret-{id}";
    using (var created = await http.PostAsJsonAsync("/api/admin/tenants", new { id, apiSecret = secret }))
    {
        created.EnsureSuccessStatusCode();
    }

    var admin = Sha1(secret);
    using var subject = new HttpRequestMessage(HttpMethod.Post, $"/t/{id}/api/v2/authorization/subjects")
    {
        Content = JsonContent.Create(new { name = "aaps", roles = new[] { "admin" } }),
    };
    subject.Headers.Add("api-secret", admin);
    using var subjectResponse = await http.SendAsync(subject);
    var token = (await subjectResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
    var jwt = (await http.GetFromJsonAsync<JsonElement>($"/t/{id}/api/v2/authorization/request/{token}")).GetProperty("token").GetString();

    var upload = Stopwatch.StartNew();
    var yearStart = DateTimeOffset.UtcNow.AddDays(-365).ToUnixTimeMilliseconds();
    for (var batch = 0; batch * 1000 < historyEntries; batch++)
    {
        var entries = Enumerable.Range(batch * 1000, Math.Min(1000, historyEntries - batch * 1000))
            .Select(k => new { type = "sgv", date = yearStart + (k * 300_000L), sgv = 80 + (k % 150), direction = "Flat", device = "bench" }).ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/t/{id}/api/v1/entries") { Content = JsonContent.Create(entries) };
        request.Headers.Add("api-secret", admin);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    Console.WriteLine($"history: uploaded {historyEntries} entries in {upload.Elapsed.TotalSeconds:F1} s ({historyEntries / upload.Elapsed.TotalSeconds:F0} entries/s, batches of 1000)");

    var rss = Rss(serverPid);
    var clientHeap = GC.GetTotalMemory(forceFullCollection: true);
    var sync = Stopwatch.StartNew();
    long since = 0;
    var received = 0;
    var pages = 0;
    var pageLatencies = new List<double>();
    while (true)
    {
        var pageTimer = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/t/{id}/api/v3/entries/history/{since}?limit=1000");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", jwt);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var page = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        pageLatencies.Add(pageTimer.Elapsed.TotalMilliseconds);
        var result = page.RootElement.GetProperty("result");
        if (result.GetArrayLength() == 0)
        {
            break;
        }

        pages++;
        received += result.GetArrayLength();
        since = result[result.GetArrayLength() - 1].GetProperty("srvModified").GetInt64();
    }

    pageLatencies.Sort();
    Console.WriteLine($"history: synced {received} entries in {pages} pages in {sync.Elapsed.TotalSeconds:F1} s ({received / sync.Elapsed.TotalSeconds:F0} entries/s), " +
        $"page p50 {pageLatencies[pageLatencies.Count / 2]:F1} ms, p99 {pageLatencies[Math.Min(pageLatencies.Count - 1, (int)(pageLatencies.Count * 0.99))]:F1} ms");
    Console.WriteLine($"history: server RSS {rss / 1024.0 / 1024:F0} MiB before sync, {Rss(serverPid) / 1024.0 / 1024:F0} MiB after; client heap {clientHeap / 1024.0 / 1024:F1} MiB before, {GC.GetTotalMemory(true) / 1024.0 / 1024:F1} MiB after");
}

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
