using Npgsql;

namespace Nocturne.Tests.Robustness;

/// <summary>Everything a site has stored, counted straight from PostgreSQL: a rejected request must not change it.</summary>
public static class SiteRows
{
    private static readonly string[] Tables = ["entries", "treatments", "devicestatus", "profile", "food", "activity", "settings", "auth_subjects", "auth_roles"];

    public static async Task<long> CountAsync(string site)
    {
        await using var connection = new NpgsqlConnection(Infrastructure.TestServices.Postgres);
        await connection.OpenAsync();
        var sql = string.Join(" + ", Tables.Select(t => $"(SELECT count(*) FROM {t} WHERE tenant_id = @site)"));
        await using var command = new NpgsqlCommand($"SELECT {sql}", connection);
        command.Parameters.AddWithValue("site", site);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
