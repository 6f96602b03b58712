using Nocturne.Tests.Infrastructure;
using Npgsql;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// A site whose upload is stuck in PostgreSQL (its row held by another transaction, so the insert
/// waits on the foreign key) still authenticates every credential and answers reads: from the
/// live window, from PostgreSQL and from the loop. When authentication lived in the document
/// writer, each of these requests queued behind the stuck upload.
/// </summary>
public sealed class ReadsDuringStalledWritesTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    // Far longer than any of these reads takes; a read that waited for the upload would wait until the lock goes.
    private static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AuthenticationAndReadsAnswerWhileAnUploadWaitsForPostgres()
    {
        var (site, secret) = await api.CreateSiteAsync("stall");
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries",
            new[] { new { type = "sgv", sgv = 111, date = now.AddMinutes(-1).ToUnixTimeMilliseconds(), device = "cgm" } })).Status);
        var token = await api.CreateSubjectAsync(site, secret, "follower", "readable");
        var jwt = await api.JwtAsync(site, token);

        await using var blocker = new NpgsqlConnection(TestServices.Postgres);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT id FROM tenants WHERE id = @s FOR UPDATE", blocker, transaction))
        {
            hold.Parameters.AddWithValue("s", site);
            Assert.Equal(site, (string?)await hold.ExecuteScalarAsync());
        }

        var upload = api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments",
            new { eventType = "Note", notes = "while stalled", created_at = now.ToString("o") });
        try
        {
            await WaitUntilAnInsertWaitsOnALockAsync();

            var reads = new (string Path, string? ApiSecret, string? Bearer)[]
            {
                ("/api/v1/verifyauth", MultiSiteApi.Sha1(secret), null),
                ("/api/v1/entries.json?count=1", MultiSiteApi.Sha1(secret), null),
                ($"/api/v1/entries.json?count=1&token={token}", null, null),
                ("/api/v1/treatments.json", MultiSiteApi.Sha1(secret), null),
                ("/api/v2/properties/bgnow,iob", MultiSiteApi.Sha1(secret), null),
                ("/api/v3/entries?limit=1", null, jwt),
                ("/api/v3/lastModified", null, jwt),
            };
            foreach (var (path, apiSecret, bearer) in reads)
            {
                var request = MultiSiteApi.SiteRequest(site, HttpMethod.Get, path, apiSecret);
                if (bearer is not null)
                {
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
                }

                var answer = api.SendAsync(request);
                if (await Task.WhenAny(answer, Task.Delay(ReadDeadline)) != answer)
                {
                    Assert.Fail($"{path} waited for the stuck upload");
                }

                var (status, body) = await answer;
                Assert.True(status == 200, $"{path}: {status} {body}");
                if (path.StartsWith("/api/v1/entries.json", StringComparison.Ordinal))
                {
                    Assert.Equal(111, body[0].GetProperty("sgv").GetInt32());
                }
            }

            Assert.False(upload.IsCompleted, "the upload was not held by the lock, so the reads proved nothing");
        }
        finally
        {
            await transaction.RollbackAsync();
        }

        Assert.Equal(200, (await upload).Status);
        var stored = await api.GetOkAsync(site, secret, "/api/v1/treatments.json");
        Assert.Equal("while stalled", stored[0].GetProperty("notes").GetString());
    }

    private static async Task WaitUntilAnInsertWaitsOnALockAsync()
    {
        await using var connection = new NpgsqlConnection(TestServices.Postgres);
        await connection.OpenAsync();
        for (var attempt = 0; attempt < 600; attempt++)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO treatments%'", connection);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the upload never reached PostgreSQL");
    }
}
