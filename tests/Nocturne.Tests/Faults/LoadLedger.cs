using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;
using Npgsql;

namespace Nocturne.Tests.Faults;

/// <summary>
/// A small, steady load of uploads and reads against some sites, with a client-side ledger: every
/// status seen, and every upload the server acknowledged (which must be in PostgreSQL afterwards).
/// </summary>
public sealed class LoadLedger(HttpClient client, IReadOnlyList<(string Site, string Secret)> sites)
{
    private readonly ConcurrentQueue<(string Site, string ObjectId)> _acknowledged = new();
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private long _lastOkTicks;

    // Each upload's own time: an upload with the time and type of an earlier one is merged into it and
    // answered without an _id (as the reference does), which the ledger could not look up afterwards.
    private readonly long _start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private long _sequence;

    public IReadOnlyDictionary<int, int> Statuses => _statuses;

    public int Acknowledged => _acknowledged.Count;

    /// <summary>The last time any request was answered 200.</summary>
    public DateTime LastOk => new(Interlocked.Read(ref _lastOkTicks), DateTimeKind.Utc);

    public IEnumerable<string> Errors => _errors;

    /// <summary>Runs <paramref name="workers"/> loops until cancelled; each alternates an upload and a read.</summary>
    public Task RunAsync(int workers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkerAsync(w, stop)));

    private async Task WorkerAsync(int worker, CancellationToken stop)
    {
        var random = new Random(worker);
        while (!stop.IsCancellationRequested)
        {
            var (site, secret) = sites[random.Next(sites.Count)];
            try
            {
                if (random.Next(2) == 0)
                {
                    var date = _start - (Interlocked.Increment(ref _sequence) * 997);
                    using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v1/entries", MultiSiteApi.Sha1(secret),
                        new { type = "sgv", sgv = random.Next(40, 400), date, device = $"ledger-{worker}-{Guid.NewGuid():N}" });
                    using var response = await client.SendAsync(request, CancellationToken.None);
                    var status = Record(response);
                    if (status == 200)
                    {
                        var body = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                        _acknowledged.Enqueue((site, body[0].GetProperty("_id").GetString()!));
                    }
                }
                else
                {
                    using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v1/entries.json?count=3", MultiSiteApi.Sha1(secret));
                    using var response = await client.SendAsync(request, CancellationToken.None);
                    Record(response);
                }
            }
            catch (HttpRequestException ex)
            {
                _errors.Enqueue(ex.Message);
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    private int Record(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        if (status == 200)
        {
            Interlocked.Exchange(ref _lastOkTicks, DateTime.UtcNow.Ticks);
        }
        else if (status == 503 && !response.Headers.Contains("Retry-After"))
        {
            _errors.Enqueue("503 without Retry-After");
        }

        return status;
    }

    /// <summary>Every answer was 200 or 503 with Retry-After, and every acknowledged upload is in PostgreSQL.</summary>
    public async Task AssertNoFaultLeakedAsync(string postgres)
    {
        Assert.False(_statuses.ContainsKey(500), Summary());
        Assert.All(_statuses.Keys, s => Assert.True(s is 200 or 503, Summary()));
        Assert.Empty(_errors);
        Assert.Equal(0, await MissingAsync(postgres));
    }

    /// <summary>Acknowledged uploads that PostgreSQL does not have.</summary>
    public async Task<int> MissingAsync(string postgres)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        var missing = 0;
        foreach (var group in _acknowledged.GroupBy(a => a.Site))
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM entries WHERE tenant_id = @site AND object_id = ANY(@ids)", connection);
            command.Parameters.AddWithValue("site", group.Key);
            command.Parameters.AddWithValue("ids", group.Select(a => a.ObjectId).ToArray());
            missing += group.Count() - (int)(long)(await command.ExecuteScalarAsync())!;
        }

        return missing;
    }

    public string Summary() =>
        string.Join(", ", _statuses.OrderBy(s => s.Key).Select(s => $"{s.Key.ToString(CultureInfo.InvariantCulture)}: {s.Value}")) + $"; acknowledged {Acknowledged}";
}
