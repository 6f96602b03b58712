using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;

// Seeds a Nightscout-shaped MongoDB database with a year of 5-minute CGM and a year of treatments,
// times POST /api/admin/tenants/{site}/imports (the MongoDB import) until it reports finished, then
// imports that site again over its own API (v3 history, an admin access token) into a second site.
// usage: --url http://127.0.0.1:1437 --operator-key KEY --mongo mongodb://127.0.0.1:N
//        [--entries 105000] [--treatments 8760] [--devicestatus 0] [--api-import true] [--max-seconds 600]
//        [--database NAME]: a database of that server already seeded by an earlier run is imported again as it is
//        (seeding a year into jongodb takes minutes), into a new site each time.
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal) && p.i + 1 < args.Length)
    .ToDictionary(p => p.a[2..], p => args[p.i + 1]);
var url = new Uri(options["url"]);
var operatorKey = options["operator-key"];
var mongoUrl = options["mongo"].TrimEnd('/');
int Option(string name, int fallback) => int.Parse(options.GetValueOrDefault(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var entries = Option("entries", 105_000);
var treatments = Option("treatments", 8_760);
var deviceStatus = Option("devicestatus", 0);
var apiImport = options.GetValueOrDefault("api-import", "true") == "true";
var bound = TimeSpan.FromSeconds(Option("max-seconds", 600));
var database = options.GetValueOrDefault("database", $"bench{DateTime.UtcNow:HHmmss}");
var start = DateTimeOffset.UtcNow.AddDays(-366).ToUnixTimeMilliseconds();
static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

var db = new MongoClient(mongoUrl).GetDatabase(database);
Console.WriteLine($"load average {Load()} before seeding MongoDB database {database}");
await SeedAsync("entries", entries, i => new BsonDocument
{
    ["_id"] = ObjectId.GenerateNewId(), ["device"] = "xDrip-DexcomG6", ["date"] = start + (i * 300_000L), ["dateString"] = Iso(start + (i * 300_000L)),
    ["sgv"] = 80 + (i % 150), ["delta"] = 1.5, ["direction"] = "Flat", ["type"] = "sgv", ["utcOffset"] = 0, ["sysTime"] = Iso(start + (i * 300_000L)),
});
await SeedAsync("treatments", treatments, i => new BsonDocument
{
    ["_id"] = ObjectId.GenerateNewId(), ["eventType"] = i % 2 == 0 ? "Meal Bolus" : "Correction Bolus", ["insulin"] = 1 + (i % 7 * 0.5),
    ["carbs"] = i % 2 == 0 ? 30 : BsonNull.Value, ["created_at"] = Iso(start + (i * 3_600_000L)), ["enteredBy"] = "bench",
});
await SeedAsync("devicestatus", deviceStatus, i => new BsonDocument
{
    ["_id"] = ObjectId.GenerateNewId(), ["device"] = "openaps://bench", ["created_at"] = Iso(start + (i * 300_000L)),
    ["openaps"] = new BsonDocument { ["iob"] = new BsonDocument { ["iob"] = 1.25, ["activity"] = 0.01, ["time"] = Iso(start + (i * 300_000L)) } },
    ["pump"] = new BsonDocument { ["reservoir"] = 120.5, ["battery"] = new BsonDocument { ["percent"] = 80 } },
});

// jongodb's own read cost, the floor under the import's reading: the whole collection in _id order, pages of 2,000.
var reading = Stopwatch.StartNew();
long raw = 0;
using (var cursor = await db.GetCollection<BsonDocument>("entries").FindAsync(FilterDefinition<BsonDocument>.Empty,
    new FindOptions<BsonDocument> { Sort = Builders<BsonDocument>.Sort.Ascending("_id"), BatchSize = 2000 }))
{
    while (await cursor.MoveNextAsync())
    {
        raw += cursor.Current.Count();
    }
}

Console.WriteLine($"MongoDB alone: read {raw} entries in _id order (pages of 2,000, BSON only) in {reading.Elapsed.TotalSeconds:F1} s");

using var http = new HttpClient { BaseAddress = url };
http.DefaultRequestHeaders.Add("X-Operator-Key", operatorKey);
var total = 0L;
foreach (var name in new[] { "entries", "treatments", "devicestatus" })
{
    total += await db.GetCollection<BsonDocument>(name).EstimatedDocumentCountAsync();
}

var site = $"importbench{DateTime.UtcNow:HHmmss}";
const string secret = "import-bench-secret";
(await http.PostAsJsonAsync("/api/admin/tenants", new { id = site, displayName = site, apiSecret = secret })).EnsureSuccessStatusCode();
var mongo = await ImportAsync(site, "imports", new { mongoUrl = $"{mongoUrl}/{database}" }, "MongoDB");
if (!mongo || !apiImport)
{
    return mongo ? 0 : 1;
}

// The same year again, from the first site over its own API (v3 history with an admin token): a running Nightscout as the source.
var copy = $"apibench{DateTime.UtcNow:HHmmss}";
(await http.PostAsJsonAsync("/api/admin/tenants", new { id = copy, displayName = copy, apiSecret = secret })).EnsureSuccessStatusCode();
using var subject = new HttpRequestMessage(HttpMethod.Post, $"/t/{site}/api/v2/authorization/subjects") { Content = JsonContent.Create(new { name = "importer", roles = new[] { "admin" } }) };
#pragma warning disable CA5350 // Nightscout's api-secret wire format.
subject.Headers.Add("api-secret", Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(secret))));
#pragma warning restore CA5350
var created = await http.SendAsync(subject);
created.EnsureSuccessStatusCode();
var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
return await ImportAsync(copy, "import", new { url = new Uri(url, $"/t/{site}/").ToString(), token }, "Nightscout API (v3, our own server)") ? 0 : 1;

async Task SeedAsync(string collection, int count, Func<int, BsonDocument> document)
{
    // jongodb checks the _id index by comparing each document of the collection with every other one
    // on every insert (quadratic in the collection's size), and the driver splits an insert at its
    // maxWriteBatchSize (100,000): one small insert first and one of 100,000 last is the cheapest order.
    var clock = Stopwatch.StartNew();
    var held = await db.GetCollection<BsonDocument>(collection).EstimatedDocumentCountAsync();
    if (held > 0)
    {
        Console.WriteLine($"{collection}: {held} already in MongoDB database {database}; not seeded");
        return;
    }

    var remainder = count % 100_000;
    var from = 0;
    foreach (var size in (remainder > 0 ? [remainder] : Array.Empty<int>()).Concat(Enumerable.Repeat(100_000, count / 100_000)))
    {
        await db.GetCollection<BsonDocument>(collection).InsertManyAsync(Enumerable.Range(from, size).Select(document), new InsertManyOptions { IsOrdered = false });
        from += size;
    }

    if (count > 0)
    {
        Console.WriteLine($"seeded {count} {collection} into MongoDB in {clock.Elapsed.TotalSeconds:F1} s (load average {Load()})");
    }
}

async Task<bool> ImportAsync(string target, string route, object body, string what)
{
    Console.WriteLine($"load average {Load()} before the import from {what}");
    var clock = Stopwatch.StartNew();
    var started = await http.PostAsJsonAsync($"/api/admin/tenants/{target}/{route}", body);
    if (!started.IsSuccessStatusCode)
    {
        Console.WriteLine($"import from {what} refused: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
        return false;
    }

    JsonElement progress;
    while (true)
    {
        progress = await http.GetFromJsonAsync<JsonElement>($"/api/admin/tenants/{target}/imports");
        if (progress.GetProperty("state").GetString() != "running")
        {
            break;
        }

        if (clock.Elapsed > bound)
        {
            Console.WriteLine($"import from {what} still running after {bound.TotalSeconds:F0} s (read {progress.GetProperty("collections").EnumerateArray().Sum(c => c.GetProperty("read").GetInt64())}); giving up");
            return false;
        }

        await Task.Delay(100);
    }

    var elapsed = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"import from {what} {progress.GetProperty("state").GetString()} in {elapsed:F1} s: {total / elapsed:F0} documents/s (load average {Load()}); {progress.GetProperty("message")}");
    foreach (var collection in progress.GetProperty("collections").EnumerateArray())
    {
        Console.WriteLine($"  {collection.GetProperty("collection").GetString()}: source {collection.GetProperty("sourceCount")}, stored {collection.GetProperty("stored")}, imported {collection.GetProperty("imported")}");
    }

    return progress.GetProperty("state").GetString() == "finished";
}
