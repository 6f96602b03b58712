using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Nocturne.ConnectorBench;
using Nocturne.Grains.Hosting;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Storage;

// Connector grains on one node against a fake Dexcom Share on loopback: activates N configured
// connectors, then runs rounds of "every connector syncs once" (at most --parallel at a time),
// the way staggered reminders would, and prints polls per second, vendor requests per sync,
// sync latency and memory per connector.
var connectors = Option("--connectors", 1000);
var rounds = Option("--rounds", 3);
var parallel = Option("--parallel", 64);
var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set (bench/connectors.sh sets it)");
await new SchemaMigrator(postgres).MigrateAsync();

await using var vendor = new BenchVendor();
await vendor.StartAsync();
var serviceId = $"cbench-{Guid.NewGuid():N}"[..20];
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:Postgres"] = postgres,
    ["Cluster:ServiceId"] = serviceId,
    ["Cluster:ClusterId"] = serviceId,
    ["Cluster:SiloPort"] = "11511",
    ["Cluster:GatewayPort"] = "30500",
    ["Connectors:CredentialKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    ["Connectors:Servers:dexcom:us"] = vendor.BaseUrl.ToString(),
    ["Connectors:Http:BreakerMinimumThroughput"] = "100000",
});
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo.AddNocturne(builder.Configuration));
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

var sites = Enumerable.Range(0, connectors).Select(i => $"cb{i}-{serviceId[7..15]}").ToList();
await ForEachAsync(sites, site => grains.GetGrain<ISiteAccessGrain>(site).ProvisionAsync(new SiteProvisioning(site, null, new SiteSettings()), overwrite: false));
var before = Heap();
// An hour's period, so that reminders stay out of the measured rounds.
await ForEachAsync(sites, site => grains.GetGrain<IConnectorGrain>(ConnectorKinds.Key(site, ConnectorKinds.DexcomShare))
    .ConfigureAsync(new ConnectorSettings(true, $"user-{site}", "bench-password", "us", null, null, null, 3600, 1)));
var configured = Heap();
Console.WriteLine($"{connectors} connectors on one node ({Environment.ProcessorCount} cores), {parallel} syncs at a time");
Console.WriteLine($"memory per configured connector: {(configured - before) / connectors / 1024.0:F1} KB (managed heap)");

for (var round = 1; round <= rounds; round++)
{
    var requests = vendor.Requests;
    var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
    var failed = 0;
    var watch = Stopwatch.StartNew();
    await ForEachAsync(sites, async site =>
    {
        var started = Stopwatch.GetTimestamp();
        var status = await grains.GetGrain<IConnectorGrain>(ConnectorKinds.Key(site, ConnectorKinds.DexcomShare)).SyncNowAsync(false);
        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (status.Health != ConnectorHealth.Healthy)
        {
            Interlocked.Increment(ref failed);
        }
    });
    watch.Stop();
    var sorted = latencies.Order().ToArray();
    double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round}{(round == 1 ? " (login + 24 h backfill)" : "")}: {connectors / watch.Elapsed.TotalSeconds:F0} polls/s, " +
        $"{(vendor.Requests - requests) / (double)connectors:F2} vendor requests/sync, p50 {P(0.5):F1} ms, p99 {P(0.99):F1} ms, {failed} not healthy"));
}

Console.WriteLine($"memory per connector after the rounds: {(Heap() - before) / connectors / 1024.0:F1} KB (managed heap)");
await host.StopAsync();
return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

async Task ForEachAsync(IEnumerable<string> items, Func<string, Task> action) =>
    await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (item, _) => await action(item));

static long Heap()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    return GC.GetTotalMemory(forceFullCollection: true);
}
