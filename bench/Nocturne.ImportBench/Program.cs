using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;

// Seeds a Nightscout-shaped MongoDB database with a year of 5-minute CGM and a year of treatments,
// then times POST /api/admin/tenants/{site}/imports until the import reports finished.
// usage: --url http://127.0.0.1:1437 --operator-key KEY --mongo mongodb://127.0.0.1:N [--entries 105000] [--treatments 8760] [--max-seconds 600]
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal) && p.i + 1 < args.Length)
    .ToDictionary(p => p.a[2..], p => args[p.i + 1]);
var url = new Uri(options["url"]);
var operatorKey = options["operator-key"];
var mongoUrl = options["mongo"].TrimEnd('/');
var entries = int.Parse(options.GetValueOrDefault("entries", "105000"), CultureInfo.InvariantCulture);
var treatments = int.Parse(options.GetValueOrDefault("treatments", "8760"), CultureInfo.InvariantCulture);
var database = $"bench{DateTime.UtcNow:HHmmss}";
var start = DateTimeOffset.UtcNow.AddDays(-366).ToUnixTimeMilliseconds();
static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

var db = new MongoClient(mongoUrl).GetDatabase(database);
var seed = Stopwatch.StartNew();
foreach (var chunk in Enumerable.Range(0, entries).Chunk(5000))
{
    await db.GetCollection<BsonDocument>("entries").InsertManyAsync(chunk.Select(i => new BsonDocument
    {
        ["_id"] = ObjectId.GenerateNewId(), ["device"] = "xDrip-DexcomG6", ["date"] = start + (i * 300_000L), ["dateString"] = Iso(start + (i * 300_000L)),
        ["sgv"] = 80 + (i % 150), ["delta"] = 1.5, ["direction"] = "Flat", ["type"] = "sgv", ["utcOffset"] = 0, ["sysTime"] = Iso(start + (i * 300_000L)),
    }));
}

foreach (var chunk in Enumerable.Range(0, treatments).Chunk(5000))
{
    await db.GetCollection<BsonDocument>("treatments").InsertManyAsync(chunk.Select(i => new BsonDocument
    {
        ["_id"] = ObjectId.GenerateNewId(), ["eventType"] = i % 2 == 0 ? "Meal Bolus" : "Correction Bolus", ["insulin"] = 1 + (i % 7 * 0.5),
        ["carbs"] = i % 2 == 0 ? 30 : BsonNull.Value, ["created_at"] = Iso(start + (i * 3_600_000L)), ["enteredBy"] = "bench",
    }));
}

Console.WriteLine($"seeded {entries} entries and {treatments} treatments into MongoDB in {seed.Elapsed.TotalSeconds:F1} s");

using var http = new HttpClient { BaseAddress = url };
http.DefaultRequestHeaders.Add("X-Operator-Key", operatorKey);
var site = $"importbench{DateTime.UtcNow:HHmmss}";
(await http.PostAsJsonAsync("/api/admin/tenants", new { id = site, displayName = site, apiSecret = "import-bench-secret" })).EnsureSuccessStatusCode();
var clock = Stopwatch.StartNew();
(await http.PostAsJsonAsync($"/api/admin/tenants/{site}/imports", new { mongoUrl = $"{mongoUrl}/{database}" })).EnsureSuccessStatusCode();
JsonElement progress;
var bound = TimeSpan.FromSeconds(int.Parse(options.GetValueOrDefault("max-seconds", "600"), CultureInfo.InvariantCulture));
while (true)
{
    progress = await http.GetFromJsonAsync<JsonElement>($"/api/admin/tenants/{site}/imports");
    if (progress.GetProperty("state").GetString() != "running")
    {
        break;
    }

    if (clock.Elapsed > bound)
    {
        Console.WriteLine($"import still running after {bound.TotalSeconds:F0} s (read {progress.GetProperty("collections").EnumerateArray().Sum(c => c.GetProperty("read").GetInt64())}); giving up");
        return 1;
    }

    await Task.Delay(100);
}

var elapsed = clock.Elapsed.TotalSeconds;
Console.WriteLine($"import {progress.GetProperty("state").GetString()} in {elapsed:F1} s: {(entries + treatments) / elapsed:F0} documents/s");
foreach (var collection in progress.GetProperty("collections").EnumerateArray())
{
    Console.WriteLine($"  {collection.GetProperty("collection").GetString()}: source {collection.GetProperty("sourceCount")}, stored {collection.GetProperty("stored")}");
}

return progress.GetProperty("state").GetString() == "finished" ? 0 : 1;
