using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Nocturne.FakeVendors;
using Nocturne.Grains.Hosting;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Storage;

// Connector grains on one node against the tests' fake vendor clouds on loopback: activates N
// configured connectors, a mixed population of all eight kinds in turn (--kinds dexcom,tidepool,...
// narrows it), then runs rounds of "every connector syncs once" (at most --parallel at a time),
// the way staggered reminders would, and prints polls per second, vendor requests per sync,
// sync latency per kind and memory per connector.
var connectors = Option("--connectors", 1000);
var rounds = Option("--rounds", 3);
var parallel = Option("--parallel", 64);
var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set (bench/connectors.sh sets it)");
await new SchemaMigrator(postgres).MigrateAsync();

var kinds = (Array.IndexOf(args, "--kinds") is var k and >= 0 && k + 1 < args.Length ? args[k + 1].Split(',') : ConnectorKinds.All.ToArray());
await using var vendors = new FakeVendorSet();
await vendors.StartAsync();
var serviceId = $"cbench-{Guid.NewGuid():N}"[..20];
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:Postgres"] = postgres,
    ["Cluster:ServiceId"] = serviceId,
    ["Cluster:ClusterId"] = serviceId,
    ["Cluster:SiloPort"] = Environment.GetEnvironmentVariable("NOCTURNE_BENCH_SILO_PORT") ?? "11511",
    ["Cluster:GatewayPort"] = Environment.GetEnvironmentVariable("NOCTURNE_BENCH_GATEWAY_PORT") ?? "30500",
    ["Connectors:CredentialKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    ["Connectors:Http:BreakerMinimumThroughput"] = "100000",
    ["Connectors:AllowPrivateNightscoutUrls"] = "true",
});
builder.Configuration.AddInMemoryCollection(vendors.ServerSettings());
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo.AddNocturne(builder.Configuration));
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

var sites = Enumerable.Range(0, connectors).Select(i => $"cb{i}-{serviceId[7..15]}").ToList();
await ForEachAsync(sites, site => grains.GetGrain<ISiteAccessGrain>(site).ProvisionAsync(new SiteProvisioning(site, null, new SiteSettings()), overwrite: false));
var before = Heap();
var population = sites.Select((site, i) => (Site: site, Kind: kinds[i % kinds.Length])).ToList();
// An hour's period, so that reminders stay out of the measured rounds.
await Parallel.ForEachAsync(population, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (c, _) =>
    await grains.GetGrain<IConnectorGrain>(ConnectorKinds.Key(c.Site, c.Kind)).ConfigureAsync(Account(c.Kind, c.Site)));
var configured = Heap();
Console.WriteLine($"{connectors} connectors on one node ({Environment.ProcessorCount} cores), {parallel} syncs at a time, kinds: {string.Join(", ", kinds)}");
Console.WriteLine($"memory per configured connector: {(configured - before) / connectors / 1024.0:F1} KB (managed heap)");

for (var round = 1; round <= rounds; round++)
{
    var requests = VendorRequests();
    var latencies = new System.Collections.Concurrent.ConcurrentBag<(string Kind, double Ms)>();
    var failed = new System.Collections.Concurrent.ConcurrentBag<string>();
    var watch = Stopwatch.StartNew();
    await Parallel.ForEachAsync(population, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (c, _) =>
    {
        var started = Stopwatch.GetTimestamp();
        var status = await grains.GetGrain<IConnectorGrain>(ConnectorKinds.Key(c.Site, c.Kind)).SyncNowAsync(false);
        latencies.Add((c.Kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        if (status.Health != ConnectorHealth.Healthy)
        {
            failed.Add($"{c.Kind}: {status.LastError?.Message}");
        }
    });
    watch.Stop();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round}{(round == 1 ? " (login + 24 h backfill)" : "")}: {connectors / watch.Elapsed.TotalSeconds:F0} polls/s, " +
        $"{(VendorRequests() - requests) / (double)connectors:F2} vendor requests/sync, p50 {P(latencies.Select(l => l.Ms), 0.5):F1} ms, " +
        $"p99 {P(latencies.Select(l => l.Ms), 0.99):F1} ms, {failed.Count} not healthy"));
    foreach (var kind in kinds)
    {
        var mine = latencies.Where(l => l.Kind == kind).Select(l => l.Ms).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind,-13} {mine.Count,5} syncs  p50 {P(mine, 0.5),7:F1} ms  p99 {P(mine, 0.99),7:F1} ms"));
    }

    foreach (var reason in failed.GroupBy(f => f).Take(5))
    {
        Console.WriteLine($"  not healthy x{reason.Count()}: {reason.Key}");
    }
}

Console.WriteLine($"memory per connector after the rounds: {(Heap() - before) / connectors / 1024.0:F1} KB (managed heap)");
await host.StopAsync();
return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static double P(IEnumerable<double> values, double q)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}

long VendorRequests() => vendors.All.Sum(v => (long)v.Requests.Values.Sum());

// A vendor account for one connector, with a day of data where the fake keeps it simply.
ConnectorSettings Account(string kind, string site)
{
    var (user, password) = ($"{site}@bench.invalid", $"pw-{site}");
    var now = DateTimeOffset.UtcNow;
    var day = FakeReading.Series(now.AddDays(-1), now, TimeSpan.FromMinutes(5));
    switch (kind)
    {
        case ConnectorKinds.DexcomShare:
            vendors.Dexcom.AddAccount(user, password, day);
            return new ConnectorSettings(true, user, password, "us", null, null, null, 3600, 1);
        case ConnectorKinds.LibreLinkUp:
            vendors.Libre.AddAccount(user, password, "eu", new FakeLibreLinkUp.Patient($"p-{site}", site, day));
            return new ConnectorSettings(true, user, password, "eu", null, null, null, 3600, 1);
        case ConnectorKinds.Nightscout:
            vendors.Nightscout.Readings[$"token-{site}"] = day;
            return new ConnectorSettings(true, null, null, null, vendors.Nightscout.BaseUrl.ToString(), $"token-{site}", null, 3600, 1);
        case ConnectorKinds.Tidepool:
            var tidepool = vendors.Tidepool.AddAccount(user, password);
            tidepool.Data.AddRange(day.Select(r => { var d = FakeTidepool.Datum("cbg", DateTimeOffset.FromUnixTimeMilliseconds(r.Ms), 0); d["units"] = "mg/dL"; d["value"] = r.Mgdl; return d; }));
            return new ConnectorSettings(true, user, password, null, null, null, null, 3600, 1);
        case ConnectorKinds.CareLink:
            var (_, login) = vendors.CareLink.AddAccount(site, "PATIENT_OUS");
            var patient = vendors.CareLink.Patients[site] = new FakeCareLink.Patient { PumpOffsetHours = 0 };
            patient.Readings.AddRange(day.Select(r => (DateTimeOffset.FromUnixTimeMilliseconds(r.Ms), r.Mgdl, "NO_ERROR_MESSAGE")));
            return new ConnectorSettings(true, null, null, "eu", null, login, null, 3600, 1);
        case ConnectorKinds.Glooko:
            vendors.Glooko.AddAccount(user, password);
            return new ConnectorSettings(true, user, password, "eu", null, null, null, 3600, 1, "Europe/Berlin");
        case ConnectorKinds.Tandem:
            vendors.Tandem.AddAccount(user, password);
            return new ConnectorSettings(true, user, password, "us", null, null, null, 3600, 1, "America/Chicago");
        case ConnectorKinds.MyFitnessPal:
            var diary = vendors.MyFitnessPal.AddAccount(site, password);
            diary.Diary[now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)] = [FakeMyFitnessPal.Food("Breakfast", "Oats", 30, 5, 10, 250)];
            return new ConnectorSettings(true, site, password, null, null, null, null, 3600, 1, "Europe/Berlin");
        default:
            throw new ArgumentException($"unknown kind {kind}");
    }
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
