using Microsoft.Extensions.Configuration;
using Nocturne.Grains.Authorization;
using Nocturne.Tests.Infrastructure;
using Npgsql;

namespace Nocturne.Tests.Tenancy;

/// <summary>Admins see subjects' tokens again, as in the reference, while the database holds them only encrypted.</summary>
public sealed class SubjectTokenListingTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    [Fact]
    public async Task AdminsListTokensThatAreEncryptedAtRest()
    {
        var (site, secret) = await api.CreateSiteAsync("tokens", new { authDefaultRoles = new[] { "denied" } });
        var token = await api.CreateSubjectAsync(site, secret, "nightscout connect", "readable");

        var (status, subjects) = await api.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, "/api/v2/authorization/subjects", MultiSiteApi.Sha1(secret)));
        Assert.Equal(200, status);
        var listed = subjects.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "nightscout connect");
        Assert.Equal(token, listed.GetProperty("accessToken").GetString());

        // The listed token works, and a non-admin cannot list.
        Assert.Equal(200, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v1/status.json?token={token}"))).Status);
        Assert.Equal(401, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/t/{site}/api/v2/authorization/subjects?token={token}"))).Status);

        // No column of the row holds the token or its secret part in clear.
        await using var connection = new NpgsqlConnection(TestServices.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT row_to_json(s)::text, encode(token_encrypted, 'escape') FROM auth_subjects s WHERE tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", site);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.DoesNotContain(token[^16..], reader.GetString(0), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token[^16..], reader.GetString(1), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ACiphertextOpensOnlyWithItsKeyAndRow()
    {
        static AccessTokenCipher Cipher(string key) => new(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AccessTokenCipher.ConfigurationKey] = key }).Build());
        var cipher = Cipher(TestServices.TokenKey);
        var other = Cipher(Convert.ToBase64String(new byte[32]));
        var sealedToken = cipher.Encrypt("alice", "s1", "phone-0123456789abcdef")!;
        Assert.Equal("phone-0123456789abcdef", cipher.Decrypt("alice", "s1", sealedToken));
        Assert.Null(other.Decrypt("alice", "s1", sealedToken));
        Assert.Null(cipher.Decrypt("bob", "s1", sealedToken));
        Assert.Null(cipher.Decrypt("alice", "s2", sealedToken));
        Assert.Null(Cipher("").Encrypt("alice", "s1", "phone-0123456789abcdef"));
        Assert.Throws<InvalidOperationException>(() => Cipher("c2hvcnQ="));
    }
}
