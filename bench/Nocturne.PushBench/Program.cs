using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

// Push latency against a running API (bench/push.sh starts it): creates --sites sites, connects
// --followers SignalR followers spread over them (WebSockets, api-secret), then uploads one reading
// per site per round and times each follower's dataUpdate from the moment the upload was sent and
// from the moment it was accepted (200). Memory per connection is the API process's RSS growth.
var url = Option("--url", "http://127.0.0.1:1438");
var operatorKey = Option("--operator-key", "");
var pid = int.Parse(Option("--pid", "0"), CultureInfo.InvariantCulture);
var siteCount = int.Parse(Option("--sites", "100"), CultureInfo.InvariantCulture);
var followerCount = int.Parse(Option("--followers", "1000"), CultureInfo.InvariantCulture);
var rounds = int.Parse(Option("--rounds", "5"), CultureInfo.InvariantCulture);

using var http = new HttpClient { BaseAddress = new Uri(url) };
var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
var sites = new List<(string Id, string Secret)>();
for (var i = 0; i < siteCount; i++)
{
    var id = $"push{i}-{run}";
    var secret = $"push-bench-secret-{id}";
    using var create = new HttpRequestMessage(HttpMethod.Post, "/api/admin/tenants") { Content = JsonContent.Create(new { id, displayName = id, apiSecret = secret }) };
    create.Headers.Add("X-Operator-Key", operatorKey);
    using var created = await http.SendAsync(create);
    created.EnsureSuccessStatusCode();
    sites.Add((id, Sha1(secret)));
}

// Received events: (site, mgdl) -> receive timestamps.
var received = new ConcurrentDictionary<(string, int), ConcurrentBag<long>>();
var rssBefore = Rss(pid);
var connections = new List<HubConnection>();
var connectWatch = Stopwatch.StartNew();
for (var i = 0; i < followerCount; i++)
{
    var (site, secret) = sites[i % sites.Count];
    var connection = new HubConnectionBuilder()
        .WithUrl($"{url}/t/{site}/hubs/site", o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            o.Headers["api-secret"] = secret;
        })
        .Build();
    connection.On<JsonElement>("dataUpdate", payload =>
    {
        var now = Stopwatch.GetTimestamp();
        if (payload.TryGetProperty("sgvs", out var sgvs))
        {
            foreach (var sgv in sgvs.EnumerateArray())
            {
                received.GetOrAdd((site, sgv.GetProperty("mgdl").GetInt32()), _ => []).Add(now);
            }
        }
    });
    await connection.StartAsync();
    connections.Add(connection);
}

connectWatch.Stop();
await Task.Delay(2000);
var rssAfter = Rss(pid);
Console.WriteLine($"{followerCount} followers over {siteCount} sites connected in {connectWatch.Elapsed.TotalSeconds:F1} s ({Environment.ProcessorCount} cores, API and followers on one machine)");
if (pid > 0)
{
    Console.WriteLine($"API memory per connection: {(rssAfter - rssBefore) / (double)followerCount / 1024:F1} KB (RSS growth {rssBefore / 1048576.0:F0} -> {rssAfter / 1048576.0:F0} MB)");
}

var fromSent = new List<double>();
var fromAccepted = new List<double>();
var missing = 0;
var followersPerSite = sites.ToDictionary(s => s.Id, s => Enumerable.Range(0, followerCount).Count(i => sites[i % sites.Count].Id == s.Id));
for (var round = 0; round < rounds; round++)
{
    var mgdl = 100 + round;
    var date = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    var timings = new ConcurrentDictionary<string, (long Sent, long Accepted)>();
    await Parallel.ForEachAsync(sites, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (site, ct) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/t/{site.Id}/api/v1/entries")
        {
            Content = JsonContent.Create(new[] { new { type = "sgv", sgv = mgdl, date, direction = "Flat" } }),
        };
        request.Headers.Add("api-secret", site.Secret);
        var sent = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        timings[site.Id] = (sent, Stopwatch.GetTimestamp());
    });

    var deadline = DateTime.UtcNow.AddSeconds(10);
    while (DateTime.UtcNow < deadline && sites.Any(s => received.GetValueOrDefault((s.Id, mgdl))?.Count < followersPerSite[s.Id] || !received.ContainsKey((s.Id, mgdl))))
    {
        await Task.Delay(50);
    }

    foreach (var site in sites)
    {
        var times = received.GetValueOrDefault((site.Id, mgdl)) ?? [];
        missing += followersPerSite[site.Id] - times.Count;
        foreach (var at in times)
        {
            fromSent.Add(Stopwatch.GetElapsedTime(timings[site.Id].Sent, at).TotalMilliseconds);
            fromAccepted.Add(Math.Max(0, Stopwatch.GetElapsedTime(timings[site.Id].Accepted, at).TotalMilliseconds));
        }
    }
}

Console.WriteLine($"{rounds} rounds of one upload per site ({rounds * siteCount} uploads, {fromSent.Count} deliveries, {missing} missing after 10 s)");
Console.WriteLine($"push latency from upload sent:     {Percentiles(fromSent)}");
Console.WriteLine($"push latency from upload accepted: {Percentiles(fromAccepted)} (0 when the event beat the HTTP response)");
foreach (var connection in connections)
{
    await connection.DisposeAsync();
}

return 0;

static string Percentiles(List<double> values)
{
    if (values.Count == 0)
    {
        return "no deliveries";
    }

    var sorted = values.Order().ToArray();
    double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    return $"p50 {P(0.50):F1} ms, p99 {P(0.99):F1} ms, max {sorted[^1]:F1} ms";
}

static long Rss(int processId)
{
    if (processId <= 0 || !File.Exists($"/proc/{processId}/status"))
    {
        return 0;
    }

    var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

static string Sha1(string value) =>
#pragma warning disable CA5350 // Nightscout's wire format.
    Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5350

string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
