using Npgsql;
using Nocturne.Grains.Storage;

namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL and Redis that deploy/local/test.sh starts on 127.0.0.1 for the tests.
/// Tests never mock our own database.
/// </summary>
public static class TestServices
{
    /// <summary>The access-token encryption key every test host gets (32 bytes, base64), as up.sh provides one.</summary>
    public const string TokenKeySetting = "AccessTokens:EncryptionKey";

    public static readonly string TokenKey = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("nocturne-test-token-key-32-bytes"));

    private static readonly Lazy<Task> Migrated = new(() => new SchemaMigrator(Postgres).MigrateAsync());

    public static string Postgres => Required("NOCTURNE_TEST_POSTGRES");

    public static string Redis => Required("NOCTURNE_TEST_REDIS");

    /// <summary>Root of the repository (for the service scripts).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nocturne.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Nocturne.sln not found above the test binaries");
        }
    }

    /// <summary>The shared test database with the current schema applied (once per test run).</summary>
    public static async Task<string> MigratedPostgresAsync()
    {
        await Migrated.Value;
        return Postgres;
    }

    /// <summary>A new, empty database on the test server; for tests that need a schema-less or private database.</summary>
    public static async Task<string> CreateEmptyDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 48)];
        await using (var connection = new NpgsqlConnection(Postgres))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }

    /// <summary>A service id nobody else uses, so grain state and reminders of one test never meet another's.</summary>
    public static string UniqueServiceId(string prefix)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}";
        return id[..Math.Min(id.Length, 24)];
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests through deploy/local/test.sh, which starts PostgreSQL and Redis for them.");
}
