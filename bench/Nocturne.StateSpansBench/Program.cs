using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

// StateSpans and chart-data under load: a busy site's 24-hour chart, and TempBasal spans of a year.
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length ? args[x.i + 1] : "");
var url = options["url"];
var operatorKey = options["operator-key"];
var seconds = int.Parse(options.GetValueOrDefault("seconds", "15"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "8"), CultureInfo.InvariantCulture);
var yearTemps = int.Parse(options.GetValueOrDefault("year-temps", "50000"), CultureInfo.InvariantCulture);
var run = DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 100000;

using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
http.DefaultRequestHeaders.Add("X-Operator-Key", operatorKey);

async Task<(string Id, string Admin)> SiteAsync(string id)
{
    var secret = $"bench-secret-{id}";
    using var created = await http.PostAsJsonAsync("/api/admin/tenants", new { id, apiSecret = secret });
    created.EnsureSuccessStatusCode();
#pragma warning disable CA5350 // Nightscout's api-secret wire format.
    return (id, Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(secret))));
#pragma warning restore CA5350
}

async Task PostAsync((string Id, string Admin) site, string path, object body)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, $"/t/{site.Id}{path}") { Content = JsonContent.Create(body) };
    request.Headers.Add("api-secret", site.Admin);
    using var response = await http.SendAsync(request);
    response.EnsureSuccessStatusCode();
}

async Task LoadAsync(string name, (string Id, string Admin) site, string path)
{
    var latencies = new List<double>();
    var stop = Stopwatch.StartNew();
    var errors = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            var one = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/t/{site.Id}{path}");
            request.Headers.Add("api-secret", site.Admin);
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            lock (latencies)
            {
                latencies.Add(one.Elapsed.TotalMilliseconds);
                errors += response.IsSuccessStatusCode ? 0 : 1;
            }
        }
    }));
    latencies.Sort();
    double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
    Console.WriteLine(FormattableString.Invariant(
        $"{name}: {latencies.Count / stop.Elapsed.TotalSeconds:F1} req/s, p50 {P(0.5):F1} ms, p99 {P(0.99):F1} ms ({latencies.Count} requests, {errors} errors, concurrency {concurrency})"));
}

static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

// A busy site: 24 h of 288 readings, 100 treatments of which 50 temp basals, a profile.
var busy = await SiteAsync($"chart{run}");
var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000;
var dayStart = now - 86_400_000;
await PostAsync(busy, "/api/v1/profile", new
{
    defaultProfile = "Default", startDate = Iso(dayStart - 86_400_000),
    store = new Dictionary<string, object>
    {
        ["Default"] = new
        {
            dia = 5, timezone = "Europe/Berlin", units = "mg/dl",
            basal = new[] { new { time = "00:00", value = 0.8 }, new { time = "06:00", value = 1.1 }, new { time = "18:00", value = 0.9 } },
            sens = new[] { new { time = "00:00", value = 45 } }, carbratio = new[] { new { time = "00:00", value = 10 } },
            target_low = new[] { new { time = "00:00", value = 100 } }, target_high = new[] { new { time = "00:00", value = 110 } },
        },
    },
});
await PostAsync(busy, "/api/v1/entries", Enumerable.Range(0, 288).Select(i => new { type = "sgv", date = dayStart + (i * 300_000L), sgv = 100 + (i % 60), direction = "Flat", device = "bench" }).ToArray());
var treatments = new List<object>();
for (var i = 0; i < 50; i++)
{
    treatments.Add(new { eventType = "Temp Basal", created_at = Iso(dayStart + (i * 28 * 60_000L)), absolute = 0.2 * (i % 8), duration = 30, enteredBy = "bench" });
}

for (var i = 0; i < 30; i++)
{
    treatments.Add(new { eventType = "Correction Bolus", created_at = Iso(dayStart + 600_000 + (i * 47 * 60_000L)), insulin = 0.5 + (i % 4), enteredBy = "bench" });
}

for (var i = 0; i < 20; i++)
{
    treatments.Add(new { eventType = "Carb Correction", created_at = Iso(dayStart + 900_000 + (i * 71 * 60_000L)), carbs = 10 + (i % 5) * 5, enteredBy = "bench" });
}

await PostAsync(busy, "/api/v1/treatments", treatments);
await LoadAsync("chart-data 24 h (288 readings, 100 treatments, 50 temp basals)", busy, "/api/v4/chart-data");

// A year of temp basals: ~50,000 spans on one site.
var year = await SiteAsync($"year{run}");
var upload = Stopwatch.StartNew();
var yearStart = now - (365L * 86_400_000);
var step = 365L * 86_400_000 / yearTemps;
for (var batch = 0; batch * 1000 < yearTemps; batch++)
{
    var temps = Enumerable.Range(batch * 1000, Math.Min(1000, yearTemps - (batch * 1000)))
        .Select(k => new { eventType = "Temp Basal", created_at = Iso(yearStart + (k * step)), absolute = 0.1 * (k % 25), duration = 30, enteredBy = "bench" }).ToArray();
    await PostAsync(year, "/api/v1/treatments", temps);
}

Console.WriteLine(FormattableString.Invariant($"year: uploaded {yearTemps} temp basals in {upload.Elapsed.TotalSeconds:F1} s (batches of 1000, spans kept up to date on each)"));
await LoadAsync("state-spans?category=TempBasal (newest 100 of a year)", year, "/api/v4/state-spans?category=TempBasal");
var middle = yearStart + (180L * 86_400_000);
await LoadAsync("state-spans?category=TempBasal&from&to (one day, half a year back)", year, $"/api/v4/state-spans?category=TempBasal&from={middle}&to={middle + 86_400_000}&count=1000");
await LoadAsync("state-spans/at/{time} (half a year back)", year, $"/api/v4/state-spans/at/{middle + 3_600_000}");
return 0;
