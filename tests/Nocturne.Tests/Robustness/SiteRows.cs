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
    /// <summary>The stored documents of the site (every document table) that have the given top-level field.</summary>
    public static async Task<List<System.Text.Json.JsonElement>> DocumentsWithAsync(string site, string field)
    {
        await using var connection = new NpgsqlConnection(Infrastructure.TestServices.Postgres);
        await connection.OpenAsync();
        var sql = string.Join(" UNION ALL ", Tables.Take(7).Select(t => $"SELECT doc::text FROM {t} WHERE tenant_id = @site AND doc ? @field"));
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("site", site);
        command.Parameters.AddWithValue("field", field);
        var documents = new List<System.Text.Json.JsonElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            documents.Add(System.Text.Json.JsonDocument.Parse(reader.GetString(0)).RootElement.Clone());
        }

        return documents;
    }
}
