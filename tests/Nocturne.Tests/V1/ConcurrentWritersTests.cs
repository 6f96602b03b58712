using Nocturne.Tests.Infrastructure;
using Nocturne.Tests.V3;
using Npgsql;

namespace Nocturne.Tests.V1;

/// <summary>
/// The tables have no unique index on the dedup keys (v3 allows two documents at one time under
/// different identifiers), so uploads that race must be serialised by the site's single writer:
/// a phone and a rig uploading the same readings at once never create a duplicate.
/// </summary>
public sealed class ConcurrentWritersTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    [Fact]
    public async Task TwoUploadersOfTheSameDataNeverCreateDuplicates()
    {
        var (client, site, secret) = await V3Client.CreateAsync(api);
        var now = DateTimeOffset.UtcNow;
        var readings = Enumerable.Range(0, 20)
            .Select(i => new { type = "sgv", date = now.AddMinutes(-5 * i).ToUnixTimeMilliseconds(), sgv = 100 + i, device = "cgm" }).ToArray();
        var treatment = new { eventType = "Correction Bolus", created_at = now.AddMinutes(-3).ToString("o"), insulin = 1.0 };
        var v3Treatment = new { date = now.AddMinutes(-4).ToUnixTimeMilliseconds(), utcOffset = 0, app = "AAPS", device = "pump", eventType = "Meal Bolus", carbs = 20 };

        var uploads = new List<Task<int>>();
        for (var i = 0; i < 8; i++)
        {
            uploads.Add(Status(api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", readings)));
            uploads.Add(Status(api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", treatment)));
            uploads.Add(client.SendAsync(HttpMethod.Post, "/treatments", v3Treatment).ContinueWith(t => t.Result.Status, TaskScheduler.Default));
        }

        var statuses = await Task.WhenAll(uploads);
        Assert.All(statuses, s => Assert.True(s is 200 or 201, $"status {s}"));

        Assert.Equal(20, await CountAsync("entries", site));
        Assert.Equal(2, await CountAsync("treatments", site));
        // Exactly one of the v3 posts created the document; the others deduplicated onto it.
        Assert.Single(statuses, s => s == 201);
    }

    private static async Task<int> Status(Task<(int Status, System.Text.Json.JsonElement Body)> call) => (await call).Status;

    private static async Task<long> CountAsync(string table, string site)
    {
        await using var connection = new NpgsqlConnection(TestServices.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", site);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
