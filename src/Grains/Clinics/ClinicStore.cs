using Nocturne.Grains.Storage;
using Npgsql;

namespace Nocturne.Grains.Clinics;

/// <summary>Clinics, invitations, shares and the audit log in PostgreSQL.</summary>
public sealed class ClinicStore(PostgresConnection postgres, TimeProvider time)
{
    public async Task MarkClinicAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("INSERT INTO clinics (tenant_id) VALUES (@tenant) ON CONFLICT DO NOTHING");
        command.Parameters.AddWithValue("tenant", tenant);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<List<string>> ClinicsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("SELECT tenant_id FROM clinics ORDER BY tenant_id");
        return await ReadStringsAsync(command, cancellationToken);
    }

    public async Task<DateTimeOffset> InviteAsync(string patient, string code, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        var expires = time.GetUtcNow() + validFor;
        await using var command = postgres.DataSource.CreateCommand(
            "INSERT INTO clinic_invitations (code_hash, patient_id, created_at, expires_at) VALUES (@hash, @patient, @now, @expires)");
        command.Parameters.AddWithValue("hash", ShareCodes.Hash(code));
        command.Parameters.AddWithValue("patient", patient);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("expires", expires);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return expires;
    }

    /// <summary>Uses a share code: the patient starts sharing with the clinic (single use, before expiry).</summary>
    public async Task<(InvitationAcceptance Result, string? Patient)> AcceptAsync(string clinic, string code, string? subject, CancellationToken cancellationToken = default)
    {
        var hash = ShareCodes.Hash(code);
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string? patient;
        await using (var find = new NpgsqlCommand("SELECT patient_id FROM clinic_invitations WHERE code_hash = @hash FOR UPDATE", connection, transaction))
        {
            find.Parameters.AddWithValue("hash", hash);
            patient = await find.ExecuteScalarAsync(cancellationToken) as string;
        }

        if (patient is null)
        {
            return (InvitationAcceptance.Unknown, null);
        }

        if (patient == clinic)
        {
            return (InvitationAcceptance.OwnSite, null);
        }

        await using (var use = new NpgsqlCommand(
            "UPDATE clinic_invitations SET accepted_by = @clinic, accepted_at = @now WHERE code_hash = @hash AND accepted_by IS NULL AND expires_at > @now", connection, transaction))
        {
            use.Parameters.AddWithValue("hash", hash);
            use.Parameters.AddWithValue("clinic", clinic);
            use.Parameters.AddWithValue("now", time.GetUtcNow());
            if (await use.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return (InvitationAcceptance.ExpiredOrUsed, null);
            }
        }

        await using (var share = new NpgsqlCommand(
            "INSERT INTO clinic_shares (clinic_id, patient_id, granted_at) VALUES (@clinic, @patient, @now) ON CONFLICT DO NOTHING", connection, transaction))
        {
            share.Parameters.AddWithValue("clinic", clinic);
            share.Parameters.AddWithValue("patient", patient);
            share.Parameters.AddWithValue("now", time.GetUtcNow());
            await share.ExecuteNonQueryAsync(cancellationToken);
        }

        await AuditAsync(connection, transaction, patient, clinic, subject, "shared", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (InvitationAcceptance.Accepted, patient);
    }

    public async Task<bool> RevokeAsync(string patient, string clinic, string? subject, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var delete = new NpgsqlCommand("DELETE FROM clinic_shares WHERE clinic_id = @clinic AND patient_id = @patient", connection, transaction);
        delete.Parameters.AddWithValue("clinic", clinic);
        delete.Parameters.AddWithValue("patient", patient);
        if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        await AuditAsync(connection, transaction, patient, clinic, subject, "revoked", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> FollowsAsync(string clinic, string patient, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM clinic_shares WHERE clinic_id = @clinic AND patient_id = @patient)");
        command.Parameters.AddWithValue("clinic", clinic);
        command.Parameters.AddWithValue("patient", patient);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<List<string>> PatientsOfAsync(string clinic, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("SELECT patient_id FROM clinic_shares WHERE clinic_id = @clinic ORDER BY patient_id");
        command.Parameters.AddWithValue("clinic", clinic);
        return await ReadStringsAsync(command, cancellationToken);
    }

    public async Task<List<ClinicShare>> SharesOfAsync(string patient, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("SELECT clinic_id, granted_at FROM clinic_shares WHERE patient_id = @patient ORDER BY granted_at");
        command.Parameters.AddWithValue("patient", patient);
        var shares = new List<ClinicShare>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            shares.Add(new ClinicShare(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }

        return shares;
    }

    public async Task<List<PendingInvitation>> InvitationsOfAsync(string patient, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand(
            "SELECT created_at, expires_at, accepted_by, accepted_at FROM clinic_invitations WHERE patient_id = @patient ORDER BY created_at DESC LIMIT 100");
        command.Parameters.AddWithValue("patient", patient);
        var invitations = new List<PendingInvitation>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            invitations.Add(new PendingInvitation(reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return invitations;
    }

    public async Task AuditAsync(string patient, string clinic, string? subject, string action, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await AuditAsync(connection, null, patient, clinic, subject, action, cancellationToken);
    }

    /// <summary>One round trip for a whole board's worth of audit rows.</summary>
    public async Task AuditManyAsync(IReadOnlyCollection<string> patients, string clinic, string? subject, string action, CancellationToken cancellationToken = default)
    {
        if (patients.Count == 0)
        {
            return;
        }

        await using var command = postgres.DataSource.CreateCommand(
            "INSERT INTO clinic_audit (patient_id, clinic_id, subject, action, at) SELECT p, @clinic, @subject, @action, @now FROM unnest(@patients) AS p");
        command.Parameters.AddWithValue("patients", patients.ToArray());
        command.Parameters.AddWithValue("clinic", clinic);
        command.Parameters.AddWithValue("subject", (object?)subject ?? DBNull.Value);
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<List<ClinicAuditEntry>> AuditOfAsync(string patient, int count, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand(
            "SELECT at, clinic_id, subject, action FROM clinic_audit WHERE patient_id = @patient ORDER BY at DESC, id DESC LIMIT @count");
        command.Parameters.AddWithValue("patient", patient);
        command.Parameters.AddWithValue("count", count);
        var entries = new List<ClinicAuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new ClinicAuditEntry(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3)));
        }

        return entries;
    }

    /// <summary>Percent of readings in 70–180 mg/dL since <paramref name="from"/>, per patient (absent: no readings).</summary>
    public async Task<Dictionary<string, double>> InRangeSinceAsync(IReadOnlyCollection<string> patients, long from, CancellationToken cancellationToken = default)
    {
        // The report's own reading of sgv (numbers and numeric strings), so board and report agree.
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT tenant_id, 100.0 * count(*) FILTER (WHERE v BETWEEN 70 AND 180) / count(*)
            FROM (
                SELECT tenant_id, {Statistics.StatisticsQueries.Numeric("sgv")} AS v
                FROM entries
                WHERE tenant_id = ANY(@patients) AND type = 'sgv' AND is_valid AND date_ms >= @from
            ) readings
            WHERE v >= @smallest
            GROUP BY tenant_id
            """);
        command.Parameters.AddWithValue("patients", patients.ToArray());
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("smallest", Statistics.GlucoseRanges.SmallestReading);
        var shares = new Dictionary<string, double>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            shares[reader.GetString(0)] = reader.GetDouble(1);
        }

        return shares;
    }

    private static async Task AuditAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string patient, string clinic, string? subject, string action, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO clinic_audit (patient_id, clinic_id, subject, action) VALUES (@patient, @clinic, @subject, @action)", connection, transaction);
        command.Parameters.AddWithValue("patient", patient);
        command.Parameters.AddWithValue("clinic", clinic);
        command.Parameters.AddWithValue("subject", (object?)subject ?? DBNull.Value);
        command.Parameters.AddWithValue("action", action);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<string>> ReadStringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
