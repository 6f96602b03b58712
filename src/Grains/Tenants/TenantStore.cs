using System.Text.Json;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Nocturne.Grains.Tenants;

/// <summary>
/// SQL for sites, subjects and roles. Writes are issued only by the site's own
/// <see cref="PatientGrain"/> (and creation/listing by the registry).
/// </summary>
public sealed class TenantStore(PostgresConnection postgres)
{
    private const string TenantColumns = "id, display_name, enabled, created_at, secret_salt, secret_sha1_hash, secret_sha512_hash, jwt_key, settings";

    public async Task<TenantRecord?> LoadTenantAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"SELECT {TenantColumns} FROM tenants WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadTenant(reader) : null;
    }

    public async Task<IReadOnlyList<SiteSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"SELECT {TenantColumns} FROM tenants ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sites = new List<SiteSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sites.Add(ReadTenant(reader).ToSummary());
        }

        return sites;
    }

    /// <summary>Inserts a new site; false when the id is taken.</summary>
    public async Task<bool> InsertTenantAsync(TenantRecord tenant, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            INSERT INTO tenants ({TenantColumns})
            VALUES (@id, @display_name, @enabled, @created_at, @secret_salt, @secret_sha1_hash, @secret_sha512_hash, @jwt_key, @settings)
            ON CONFLICT (id) DO NOTHING
            """);
        AddTenantParameters(command, tenant);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task UpdateTenantAsync(TenantRecord tenant, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("""
            UPDATE tenants SET display_name = @display_name, enabled = @enabled, secret_salt = @secret_salt,
                secret_sha1_hash = @secret_sha1_hash, secret_sha512_hash = @secret_sha512_hash, jwt_key = @jwt_key, settings = @settings
            WHERE id = @id
            """);
        AddTenantParameters(command, tenant);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"Site {tenant.Id} vanished while being updated");
        }
    }

    /// <summary>
    /// Removes the site's row (its tables cascade) and its Orleans grain state and reminders, in one
    /// transaction. A site's grains are keyed "{id}" or "{id}/..." (<see cref="SiteGrainKeys"/>);
    /// reminder rows hold "{grain type}/{key}". Both are matched on the key's first segment, so
    /// deleting "alice" never touches "bob/alice".
    /// </summary>
    public async Task<bool> DeleteTenantAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var grainState = new NpgsqlCommand(
            "DELETE FROM orleans_grain_state WHERE split_part(grain_id_ext, @separator, 1) = @id", connection, transaction);
        grainState.Parameters.AddWithValue("id", id);
        grainState.Parameters.AddWithValue("separator", SiteGrainKeys.Separator.ToString());
        await grainState.ExecuteNonQueryAsync(cancellationToken);

        await using var reminders = new NpgsqlCommand(
            "DELETE FROM orleans_reminders WHERE split_part(grain_id, @separator, 2) = @id", connection, transaction);
        reminders.Parameters.AddWithValue("id", id);
        reminders.Parameters.AddWithValue("separator", SiteGrainKeys.Separator.ToString());
        await reminders.ExecuteNonQueryAsync(cancellationToken);

        await using var tenant = new NpgsqlCommand("DELETE FROM tenants WHERE id = @id", connection, transaction);
        tenant.Parameters.AddWithValue("id", id);
        var deleted = await tenant.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>
    /// The site's row with its subjects and roles and whether it is a clinic, in one round trip (one
    /// batch): what its access grain loads on activation, once per site after a restart.
    /// </summary>
    public async Task<(TenantRecord? Tenant, List<SubjectRecord> Subjects, List<AuthRole> Roles, bool IsClinic)> LoadSiteAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var batch = postgres.DataSource.CreateBatch();
        var tenant = new NpgsqlBatchCommand($"SELECT {TenantColumns} FROM tenants WHERE id = @id");
        tenant.Parameters.AddWithValue("id", id);
        var subjects = new NpgsqlBatchCommand(
            "SELECT id, name, roles, notes, token_prefix, token_suffix_hash, token_sha1_hash, created_at, token_encrypted FROM auth_subjects WHERE tenant_id = @t ORDER BY name");
        subjects.Parameters.AddWithValue("t", id);
        var roles = new NpgsqlBatchCommand("SELECT id, name, permissions, notes FROM auth_roles WHERE tenant_id = @t ORDER BY name");
        roles.Parameters.AddWithValue("t", id);
        var clinic = new NpgsqlBatchCommand("SELECT EXISTS (SELECT 1 FROM clinics WHERE tenant_id = @t)");
        clinic.Parameters.AddWithValue("t", id);
        batch.BatchCommands.Add(tenant);
        batch.BatchCommands.Add(subjects);
        batch.BatchCommands.Add(roles);
        batch.BatchCommands.Add(clinic);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var found = await reader.ReadAsync(cancellationToken) ? ReadTenant(reader) : null;
        await reader.NextResultAsync(cancellationToken);
        var subjectRows = new List<SubjectRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            subjectRows.Add(new SubjectRecord(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetFieldValue<byte[]>(5),
                reader.GetFieldValue<byte[]>(6), reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<byte[]>(8)));
        }

        await reader.NextResultAsync(cancellationToken);
        var roleRows = new List<AuthRole>();
        while (await reader.ReadAsync(cancellationToken))
        {
            roleRows.Add(new AuthRole(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), BuiltIn: false));
        }

        await reader.NextResultAsync(cancellationToken);
        var isClinic = await reader.ReadAsync(cancellationToken) && reader.GetBoolean(0);
        return (found, subjectRows, roleRows, isClinic);
    }

    public async Task InsertSubjectAsync(string tenantId, SubjectRecord subject, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("""
            INSERT INTO auth_subjects (tenant_id, id, name, roles, notes, token_prefix, token_suffix_hash, token_sha1_hash, created_at, token_encrypted)
            VALUES (@t, @id, @name, @roles, @notes, @prefix, @suffix, @sha1, @created, @encrypted)
            """);
        AddSubjectParameters(command, tenantId, subject);
        command.Parameters.AddWithValue("prefix", subject.TokenPrefix);
        command.Parameters.AddWithValue("suffix", subject.TokenSuffixHash);
        command.Parameters.AddWithValue("sha1", subject.TokenSha1Hash);
        command.Parameters.AddWithValue("created", subject.CreatedAt);
        command.Parameters.Add(new NpgsqlParameter("encrypted", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = (object?)subject.TokenEncrypted ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task UpdateSubjectAsync(string tenantId, SubjectRecord subject, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand(
            "UPDATE auth_subjects SET name = @name, roles = @roles, notes = @notes WHERE tenant_id = @t AND id = @id");
        AddSubjectParameters(command, tenantId, subject);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task DeleteSubjectAsync(string tenantId, string id, CancellationToken cancellationToken = default) =>
        DeleteByIdAsync("auth_subjects", tenantId, id, cancellationToken);

    public async Task UpsertRoleAsync(string tenantId, AuthRole role, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("""
            INSERT INTO auth_roles (tenant_id, id, name, permissions, notes) VALUES (@t, @id, @name, @permissions, @notes)
            ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, permissions = EXCLUDED.permissions, notes = EXCLUDED.notes
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", role.Id);
        command.Parameters.AddWithValue("name", role.Name);
        command.Parameters.AddWithValue("permissions", role.Permissions.ToArray());
        command.Parameters.AddWithValue("notes", (object?)role.Notes ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task DeleteRoleAsync(string tenantId, string id, CancellationToken cancellationToken = default) =>
        DeleteByIdAsync("auth_roles", tenantId, id, cancellationToken);

    private async Task DeleteByIdAsync(string table, string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var command = postgres.DataSource.CreateCommand($"DELETE FROM {table} WHERE tenant_id = @t AND id = @id");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static TenantRecord ReadTenant(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetBoolean(2),
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetFieldValue<byte[]>(4),
        reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5),
        reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6),
        reader.GetFieldValue<byte[]>(7),
        JsonSerializer.Deserialize<SiteSettings>(reader.GetString(8)) ?? new SiteSettings());

    private static void AddSubjectParameters(NpgsqlCommand command, string tenantId, SubjectRecord subject)
    {
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", subject.Id);
        command.Parameters.AddWithValue("name", subject.Name);
        command.Parameters.AddWithValue("roles", subject.Roles.ToArray());
        command.Parameters.AddWithValue("notes", (object?)subject.Notes ?? DBNull.Value);
    }

    private static void AddTenantParameters(NpgsqlCommand command, TenantRecord tenant)
    {
        command.Parameters.AddWithValue("id", tenant.Id);
        command.Parameters.AddWithValue("display_name", tenant.DisplayName);
        command.Parameters.AddWithValue("enabled", tenant.Enabled);
        command.Parameters.AddWithValue("created_at", tenant.CreatedAt);
        command.Parameters.AddWithValue("secret_salt", tenant.SecretSalt);
        command.Parameters.Add(new NpgsqlParameter("secret_sha1_hash", NpgsqlDbType.Bytea) { Value = (object?)tenant.SecretSha1Hash ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("secret_sha512_hash", NpgsqlDbType.Bytea) { Value = (object?)tenant.SecretSha512Hash ?? DBNull.Value });
        command.Parameters.AddWithValue("jwt_key", tenant.JwtKey);
        command.Parameters.Add(new NpgsqlParameter("settings", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(tenant.Settings) });
    }
}
