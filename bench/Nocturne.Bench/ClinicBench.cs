using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Nocturne.Bench;

/// <summary>
/// The clinic phase (<c>--phases clinic</c>): one clinic following <c>--patients</c> patients with a
/// full 24 h window each, its board read by several staff at once; then the statistics report over
/// 90 days of 5-minute readings on one site.
/// </summary>
public static class ClinicBench
{
    public static async Task RunAsync(HttpClient http, string run, int patients, int seconds, int concurrency)
    {
        var clinic = $"c{run}";
        var clinicSecret = Sha1($"bench-secret-{clinic}");
        (await http.PostAsJsonAsync("/api/admin/clinics", new { id = clinic, apiSecret = $"bench-secret-{clinic}" })).EnsureSuccessStatusCode();
        var token = (await SendAsync(http, HttpMethod.Post, clinic, clinicSecret, "/api/v2/authorization/subjects", new { name = "nurse", roles = new[] { "readable" } }))
            .GetProperty("accessToken").GetString();

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var setup = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, patients), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var id = $"p{run}-{i}";
            var secret = Sha1($"bench-secret-{id}");
            (await http.PostAsJsonAsync("/api/admin/tenants", new { id, apiSecret = $"bench-secret-{id}" }, ct)).EnsureSuccessStatusCode();
            var entries = Enumerable.Range(0, 288).Select(k => new { type = "sgv", date = now - (k * 300_000L) - 1000, sgv = 60 + ((k + i) % 200), direction = "Flat" }).ToArray();
            await SendAsync(http, HttpMethod.Post, id, secret, "/api/v1/entries", entries);
            var code = (await SendAsync(http, HttpMethod.Post, id, secret, "/api/v4/clinic-shares/invitations", new { expiresInHours = 1 })).GetProperty("code").GetString();
            await SendAsync(http, HttpMethod.Post, clinic, clinicSecret, "/api/v4/clinic/invitations/accept", new { code });
        });
        Console.WriteLine($"clinic: {patients} patients created, seeded (288 readings each) and shared in {setup.Elapsed.TotalSeconds:F1} s");

        var boardPath = $"/t/{clinic}/api/v4/clinic/board?token={token}";
        var first = Stopwatch.StartNew();
        var board = await http.GetFromJsonAsync<JsonElement>(boardPath);
        Console.WriteLine($"clinic: first board ({board.GetProperty("patients").GetArrayLength()} patients, time in range computed) in {first.Elapsed.TotalMilliseconds:F0} ms");

        var boards = new LatencyRecorder();
        await RunAsync(seconds, concurrency, async _ => await boards.TimeAsync(async () =>
        {
            using var response = await http.GetAsync(boardPath, HttpCompletionOption.ResponseContentRead);
            return response.IsSuccessStatusCode;
        }));
        Console.WriteLine($"GET /api/v4/clinic/board ({patients} patients, {concurrency} staff): {boards.Summary(TimeSpan.FromSeconds(seconds))}");

        // 90 days of 5-minute readings and a few treatments a day on one site.
        var site = $"s{run}";
        var siteSecret = Sha1($"bench-secret-{site}");
        (await http.PostAsJsonAsync("/api/admin/tenants", new { id = site, apiSecret = $"bench-secret-{site}" })).EnsureSuccessStatusCode();
        var start = now - 90 * 86_400_000L;
        const int readings = 90 * 288;
        for (var batch = 0; batch * 1000 < readings; batch++)
        {
            var entries = Enumerable.Range(batch * 1000, Math.Min(1000, readings - batch * 1000))
                .Select(k => new { type = "sgv", date = start + k * 300_000L, sgv = 50 + (k * 7 % 250), direction = "Flat" }).ToArray();
            await SendAsync(http, HttpMethod.Post, site, siteSecret, "/api/v1/entries", entries);
        }

        var treatments = Enumerable.Range(0, 90 * 4).Select(k => new { eventType = "Meal Bolus", insulin = 4.5, carbs = 40, created_at = DateTimeOffset.FromUnixTimeMilliseconds(start + k * 21_600_000L).ToString("O") }).ToArray();
        await SendAsync(http, HttpMethod.Post, site, siteSecret, "/api/v1/treatments", treatments);

        var statistics = new LatencyRecorder();
        var path = $"/t/{site}/api/v4/statistics?from={start}&to={now}";
        await RunAsync(seconds, Math.Max(1, concurrency / 2), async _ => await statistics.TimeAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("api-secret", siteSecret);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            return response.IsSuccessStatusCode;
        }));
        Console.WriteLine($"GET /api/v4/statistics (90 days, {readings} readings, {treatments.Length} treatments): {statistics.Summary(TimeSpan.FromSeconds(seconds))}");
    }

    private static async Task RunAsync(int seconds, int concurrency, Func<Random, Task> step)
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

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string site, string apiSecret, string path, object body)
    {
        using var request = new HttpRequestMessage(method, $"/t/{site}{path}") { Content = JsonContent.Create(body) };
        request.Headers.Add("api-secret", apiSecret);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

#pragma warning disable CA5350 // Nightscout's api-secret wire format.
    private static string Sha1(string value) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5350
}
