using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nocturne.Bench;

// Load generator over HTTP on loopback against a running Nocturne (bench/run.sh starts one).
// Measures the machine's limits with the same generator (a fixed-answer Kestrel of the same body
// sizes; the PostgreSQL commit limit comes from run.sh's pgbench), then ours: single-entry uploads,
// the follower reads served from memory, a database read, and memory per active site, at each
// number of sites; prints one table of limit, figure and ratio.
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "");
if (options.TryGetValue("serve-fixed", out var fixedPort))
{
    await FixedAnswerServer.RunAsync(int.Parse(fixedPort));
    return 0;
}

var baseUrl = options.GetValueOrDefault("url", "http://127.0.0.1:1337");
var operatorKey = options["operator-key"];
var serverPid = int.Parse(options["pid"]);
var siteSteps = options.GetValueOrDefault("sites", "1000").Split(',').Select(int.Parse).Order().ToArray();
var sites = siteSteps[^1];
var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "64"));
var seconds = int.Parse(options.GetValueOrDefault("seconds", "20"));
var perSite = int.Parse(options.GetValueOrDefault("entries", "288"));
var historyEntries = int.Parse(options.GetValueOrDefault("history-entries", "105000"));
// load: uploads then the reads; uploads: the upload phase of load alone; history; clinic.
var phases = options.GetValueOrDefault("phases", "load,history").Split(',').ToHashSet(StringComparer.Ordinal);
var uploadsOnly = phases.Contains("uploads") && !phases.Contains("load");
var commitLimit = double.TryParse(options.GetValueOrDefault("commit-limit", ""), System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : double.NaN;
var fixedServerPort = int.Parse(options.GetValueOrDefault("fixed-port", "1438"));
var gcdumpTool = options.GetValueOrDefault("gcdump");
var restartApiDirectory = options.GetValueOrDefault("restart-api-dir");
var pidFile = options.GetValueOrDefault("pid-file");
// "memory": sites, their windows and the memory they take, without the timed phases.
var memoryOnly = phases.Contains("memory") && !phases.Contains("load");
// "restart" alone: the sites (created and seeded unless --run names a run whose sites exist), then the restart.
var restartOnly = phases.Contains("restart") && !phases.Contains("memory") && !phases.Contains("load");
memoryOnly |= restartOnly;
// Profiling: --reads properties,treatments measures only those reads; --trace-tool PATH --trace-dir DIR
// takes a sampled thread-time dotnet-trace of the server during the uploads and each read measured (the figures then include its overhead).
var readsWanted = options.TryGetValue("reads", out var readsOption) ? readsOption.Split(',') : null;
var traceTool = options.GetValueOrDefault("trace-tool");
var traceDir = options.GetValueOrDefault("trace-dir");
var cpu = new CpuMeter(() => serverPid, options.GetValueOrDefault("pg-data"));
var pgCounters = new PostgresCounters(options.GetValueOrDefault("psql"), options.GetValueOrDefault("pg-port"));

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(baseUrl),
    Timeout = TimeSpan.FromSeconds(60),
};
http.DefaultRequestHeaders.Add("X-Operator-Key", operatorKey);

Console.WriteLine($"Nocturne bench: {string.Join(" then ", siteSteps)} sites, {concurrency} concurrent clients, {seconds} s per phase, server pid {serverPid}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, load average {LoadAverage()}");

// --run ID reuses the sites of an earlier run on the same database (their secrets derive from their ids):
// sites that exist are not seeded again, so a restart can be timed many times on one seeding.
var run = options.GetValueOrDefault("run") is { Length: > 0 } given ? given : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
var existing = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
if (phases.Contains("clinic"))
{
    await ClinicBench.RunAsync(http, run, int.Parse(options.GetValueOrDefault("patients", "500")), seconds, Math.Min(concurrency, 8));
    if (!phases.Contains("load") && !uploadsOnly)
    {
        return 0;
    }
}

if (!phases.Contains("load") && !memoryOnly && !uploadsOnly)
{
    await HistoryAsync();
    return 0;
}

var secrets = new string[sites];
// --reading-age MINUTES dates the seeded and uploaded readings that far back: every site's readings are
// stale (its alarm ticks every minute), as the 10,000-site step's are when seeding takes longer than 15 minutes.
var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long.Parse(options.GetValueOrDefault("reading-age", "0")) * 60_000);
var table = new List<(string Measure, string Limit, string Ours, string Ratio)>();
var limits = new Dictionary<int, double>();
var ready = 0;
var sequence = 0L;
// A few sites first, not measured: the first requests' one-off costs (JIT, pools, caches) are not any site's.
var warmUpSites = Math.Max(1, Math.Min(32, siteSteps[0] / 10));
foreach (var step in siteSteps.Prepend(warmUpSites))
{
    var warmUp = ready == 0 && step == warmUpSites;
    var rssBefore = restartOnly ? 0 : await MemoryProbe.SettledRssAsync(serverPid, gcdumpTool, null);
    var setup = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(ready, step - ready), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        var id = $"b{run}-{i}";
        var secret = $"bench-secret-{id}";
        using var response = await http.PostAsJsonAsync("/api/admin/tenants", new { id, apiSecret = secret }, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict && options.ContainsKey("run"))
        {
            existing[i] = true;
        }
        else
        {
            response.EnsureSuccessStatusCode();
        }

        secrets[i] = Sha1(secret);
    });
    Console.WriteLine($"created {step - ready - existing.Count(e => e.Key >= ready && e.Key < step)} sites in {setup.Elapsed.TotalSeconds:F1} s ({existing.Count(e => e.Key >= ready && e.Key < step)} existed)");

    // 24 h of 5-minute readings and 100 treatments per site: every site's grain becomes active with a full window.
    setup.Restart();
    await Parallel.ForEachAsync(Enumerable.Range(ready, step - ready).Where(i => !existing.ContainsKey(i)), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        var entries = Enumerable.Range(0, perSite).Select(k => new { type = "sgv", date = now - (k * 300_000L) - 1000, sgv = 80 + (k % 120), direction = "Flat", device = "bench" }).ToArray();
        using var request = Request(HttpMethod.Post, i, "/api/v1/entries", entries);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var treatments = Enumerable.Range(0, 100).Select(k => new { eventType = "Correction Bolus", insulin = 0.5 + (k % 4), created_at = DateTimeOffset.FromUnixTimeMilliseconds(now - (k * 900_000L)).ToString("O"), enteredBy = "bench" }).ToArray();
        using var treatmentRequest = Request(HttpMethod.Post, i, "/api/v1/treatments", treatments);
        using var treatmentResponse = await http.SendAsync(treatmentRequest, ct);
        treatmentResponse.EnsureSuccessStatusCode();
    });
    Console.WriteLine($"seeded {step - ready} sites x ({perSite} entries + 100 treatments) in {setup.Elapsed.TotalSeconds:F1} s");
    // Sites of an earlier run (--run) are not active in a server started since: one read each activates them
    // (their windows load from PostgreSQL), as seeding does for new sites, so that the reads measure reads.
    setup.Restart();
    await Parallel.ForEachAsync(Enumerable.Range(ready, step - ready).Where(existing.ContainsKey), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        using var request = Request(HttpMethod.Get, i, "/api/v1/entries/current.json", null);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    });
    if (existing.Any(e => e.Key >= ready && e.Key < step))
    {
        Console.WriteLine($"activated {existing.Count(e => e.Key >= ready && e.Key < step)} existing sites in {setup.Elapsed.TotalSeconds:F1} s");
    }
    if (warmUp)
    {
        ready = step;
        continue;
    }

    if (restartOnly)
    {
        ready = step;
        await MeasureRestartAsync();
        continue;
    }

    await Task.Delay(TimeSpan.FromSeconds(5));
    var rssUnsettled = Rss(serverPid);
    var rssAfter = await MemoryProbe.SettledRssAsync(serverPid, gcdumpTool, Path.Combine(Path.GetTempPath(), $"nocturne-bench-gcdump-{step}-sites.txt"));
    var perSiteKiB = (rssAfter - rssBefore) / (double)(step - ready) / 1024;
    Console.WriteLine($"server RSS: {rssBefore / 1024.0 / 1024:F0} MiB before, {rssUnsettled / 1024.0 / 1024:F0} MiB with {step} active sites, {rssAfter / 1024.0 / 1024:F0} MiB after a full GC => {perSiteKiB:F1} KiB per added active site (window of {perSite} entries)");
    if (memoryOnly)
    {
        table.Add(($"memory per active site, {step} sites", "48 KiB (target)", $"{perSiteKiB:F0} KiB", Ratio(48, perSiteKiB)));
        ready = step;
        continue;
    }
    var added = step - ready;
    ready = step;

    // Single-entry uploads, each to a random site, with a fresh timestamp.
    if (readsWanted is null || readsWanted.Contains("upload"))
    {
        using var uploadTrace = StartTrace($"uploads {step} sites");
        var upload = await MeasureAsync($"POST /api/v1/entries (1 entry), {step} sites", site => Request(HttpMethod.Post, site, "/api/v1/entries",
            new { type = "sgv", date = now + Interlocked.Increment(ref sequence), sgv = 100 + (site % 100), direction = "Flat", device = "bench" }));
        uploadTrace?.WaitForExit();
        table.Add(($"single-entry POST, {step} sites (p99 {upload.P99:F0} ms)", (double.IsNaN(commitLimit) ? "not measured" : $"{commitLimit:N0} commits/s (pgbench)"), Rate(upload.Rate), Ratio(upload.Rate, commitLimit)));
    }

    if (uploadsOnly)
    {
        continue;
    }

    foreach (var (name, path) in new[]
    {
        ("entries.json?count=288", "/api/v1/entries.json?count=288"),
        ("entries/current.json", "/api/v1/entries/current.json"),
        ("/api/v2/properties", "/api/v2/properties"),
        ("treatments.json?count=100 (database)", "/api/v1/treatments.json?count=100"),
    })
    {
        if (readsWanted is not null && !readsWanted.Any(r => name.Contains(r, StringComparison.Ordinal)))
        {
            continue;
        }

        var size = await BodySizeAsync(path);
        using var trace = StartTrace(name);
        var ours = await MeasureAsync($"GET {path}, {step} sites", site => Request(HttpMethod.Get, site, path, null));
        trace?.WaitForExit();
        var limit = await FixedLimitAsync(size);
        table.Add(($"{name}, {step} sites ({size:N0} B)", Rate(limit) + " (Kestrel, fixed)", Rate(ours.Rate), Ratio(ours.Rate, limit)));
    }

    table.Add(($"memory per active site, {step} sites", "48 KiB (target)", $"{perSiteKiB:F0} KiB", Ratio(48, perSiteKiB)));
    var rssServing = await MemoryProbe.SettledRssAsync(serverPid, gcdumpTool, Path.Combine(Path.GetTempPath(), $"nocturne-bench-gcdump-{step}-sites-after-reads.txt"));
    table.Add(($"memory per active site after the reads, {step} sites", "48 KiB (target)", $"{(rssServing - rssBefore) / (double)added / 1024:F0} KiB", Ratio(48, (rssServing - rssBefore) / (double)added / 1024)));
}

if (phases.Contains("restart") && !restartOnly)
{
    await MeasureRestartAsync();
}

Console.WriteLine($"server RSS at the end: {Rss(serverPid) / 1024.0 / 1024:F0} MiB; load average {LoadAverage()}");
Console.WriteLine();
Console.WriteLine("| measure | limit on this machine | ours | ratio |");
Console.WriteLine("|---|---|---|---|");
foreach (var row in table)
{
    Console.WriteLine($"| {row.Measure} | {row.Limit} | {row.Ours} | {row.Ratio} |");
}

if (phases.Contains("history"))
{
    await HistoryAsync();
}

return 0;

async Task MeasureRestartAsync()
{
    if (restartApiDirectory is null || pidFile is null)
    {
        return;
    }

    // Live sites: each had a reading within the last minutes (its alarm aimed at when that turns stale) and is active.
    var fresh = Stopwatch.StartNew();
    var freshAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    await Parallel.ForEachAsync(Enumerable.Range(0, ready), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
    {
        using var request = Request(HttpMethod.Post, i, "/api/v1/entries", new { type = "sgv", date = freshAt, sgv = 100 + (i % 100), direction = "Flat", device = "bench" });
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    });
    Console.WriteLine($"restart: a fresh reading for each of {ready} sites in {fresh.Elapsed.TotalSeconds:F1} s; server RSS {Rss(serverPid) / 1024.0 / 1024:F0} MiB, threads {File.ReadLines($"/proc/{serverPid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))[8..].Trim()}");

    // A restart: every site's grain must activate again and load its window before it answers.
    var restart = await SiteRestart.MeasureAsync(serverPid, ready, concurrency,
        new SiteRestart.Options(restartApiDirectory, pidFile, new Uri(http.BaseAddress!, "/health/ready"),
            TimeSpan.FromSeconds(int.Parse(options.GetValueOrDefault("restart-give-up", "600"))), traceTool, options.GetValueOrDefault("counters-tool"),
            traceDir is null ? null : Path.Combine(traceDir, $"restart-{ready}-sites")),
        cpu, site => Request(HttpMethod.Get, site, "/api/v1/entries/current.json", null), http);
    serverPid = restart.Server.Id;
    Console.WriteLine($"restart: {restart.Summary()}; RSS {Rss(serverPid) / 1024.0 / 1024:F0} MiB");
    table.Add(($"sites live after a restart, {ready} sites", "-",
        (restart.AllLive is { } all ? $"{all.TotalSeconds:F1} s" : $"{restart.Live} of {ready} live, gave up") +
        $" (accepting after {restart.Accepting.TotalSeconds:F1} s; {restart.Failures} failed answers; threads at most {restart.PeakThreads}; server CPU {restart.ServerCpuSeconds:F0} s)", "-"));
}

async Task<(double Rate, double P99)> MeasureAsync(string label, Func<int, HttpRequestMessage> request)
{
    var recorder = new LatencyRecorder();
    var pgBefore = pgCounters.Take();
    var cpuBefore = cpu.Take();
    await RunAsync(async random =>
    {
        using var message = request(random.Next(ready));
        await recorder.TimeAsync(async () =>
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead);
            return response.IsSuccessStatusCode;
        });
    });
    var cpuAfter = cpu.Take();
    var pgAfter = pgCounters.Take();
    Console.WriteLine($"{label}: {recorder.Summary(TimeSpan.FromSeconds(seconds))}");
    Console.WriteLine($"  {CpuMeter.PerRequest(cpuBefore, cpuAfter, recorder.Count)}");
    Console.WriteLine($"  {PostgresCounters.PerRequest(pgBefore, pgAfter, recorder.Count)}");
    return (recorder.Rate(TimeSpan.FromSeconds(seconds)), recorder.Percentile(0.99));
}

async Task<int> BodySizeAsync(string path)
{
    using var message = Request(HttpMethod.Get, 0, path, null);
    using var response = await http.SendAsync(message);
    return (await response.Content.ReadAsByteArrayAsync()).Length;
}

// The same generator against Kestrel answering a body of that size from memory, in its own process.
async Task<double> FixedLimitAsync(int size)
{
    if (!limits.TryGetValue(size, out var limit))
    {
        using var server = Process.Start(new ProcessStartInfo("dotnet", [typeof(FixedAnswerServer).Assembly.Location, "--serve-fixed", fixedServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            using var fixedHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri($"http://127.0.0.1:{fixedServerPort}") };
            // A loaded machine may take a while to start it; without it there is no limit to give.
            var started = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var probe = await fixedHttp.GetAsync($"/fixed/{size}");
                    break;
                }
                catch (HttpRequestException) when (started.Elapsed < TimeSpan.FromSeconds(120) && !server.HasExited)
                {
                    await Task.Delay(250);
                }
                catch (HttpRequestException)
                {
                    Console.WriteLine($"limit: the fixed-answer server on port {fixedServerPort} did not start: {await server.StandardError.ReadToEndAsync()}");
                    return double.NaN;
                }
            }

            var recorder = new LatencyRecorder();
            var fixedCpuBefore = CpuMeter.ProcessSeconds(server.Id);
            await RunAsync(async _ => await recorder.TimeAsync(async () =>
            {
                try
                {
                    using var response = await fixedHttp.GetAsync($"/fixed/{size}", HttpCompletionOption.ResponseContentRead);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }));
            var fixedCpu = CpuMeter.ProcessSeconds(server.Id) - fixedCpuBefore;
            Console.WriteLine($"limit: Kestrel serving a fixed {size} B answer: {recorder.Summary(TimeSpan.FromSeconds(seconds))}; CPU per request: server {fixedCpu * 1e6 / Math.Max(1, recorder.Count):F0} µs");
            limit = limits[size] = recorder.Rate(TimeSpan.FromSeconds(seconds));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    return limit;
}

Process? StartTrace(string name)
{
    if (traceTool is null || traceDir is null)
    {
        return null;
    }

    Directory.CreateDirectory(traceDir);
    var file = Path.Combine(traceDir, new string(name.Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray()) + ".nettrace");
    var trace = Process.Start(new ProcessStartInfo(traceTool, ["collect", "-p", serverPid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time",
        "--duration", TimeSpan.FromSeconds(Math.Max(1, seconds - 1)).ToString("c", System.Globalization.CultureInfo.InvariantCulture), "-o", file]))!;
    Thread.Sleep(1000);
    return trace;
}

static string Rate(double perSecond) => double.IsNaN(perSecond) ? "not measured" : $"{perSecond:N0}/s";

static string Ratio(double ours, double limit) => double.IsNaN(limit) || limit == 0 ? "-" : $"{ours / limit:F2}";

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

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
