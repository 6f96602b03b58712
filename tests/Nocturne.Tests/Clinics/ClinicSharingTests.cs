using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Nocturne.Tests.Infrastructure;
using Nocturne.Tests.Push;
using Npgsql;

namespace Nocturne.Tests.Clinics;

/// <summary>
/// Clinics through the HTTP API: an operator creates a clinic, patients invite it with share codes,
/// its staff follow them on the board (most urgent first), read charts and reports, and lose access
/// the moment a patient revokes; every access is in the patient's audit log.
/// </summary>
public sealed class ClinicSharingTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private sealed record Site(string Id, string Secret);

    [Fact]
    public async Task AClinicFollowsPatientsWhoShareMostUrgentFirstUntilTheyRevoke()
    {
        var clinic = await CreateClinicAsync("clinic-x");
        var nurse = await api.CreateSubjectAsync(clinic.Id, clinic.Secret, "nurse", "readable");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var low = await PatientWithReadingsAsync("low", now, 50);
        var steady = await PatientWithReadingsAsync("steady", now, 120);
        var stale = await PatientWithReadingsAsync("stale", now - 40 * 60_000, 140);
        foreach (var patient in new[] { low, steady, stale })
        {
            var (status, body) = await AcceptAsync(clinic, await InviteAsync(patient));
            Assert.Equal(200, status);
            Assert.Equal(patient.Id, body.GetProperty("patient").GetString());
        }

        var board = await BoardAsync(clinic, nurse);
        Assert.Equal([low.Id, stale.Id, steady.Id], board.Select(p => p.GetProperty("site").GetString()));
        Assert.Equal(["UrgentLow", "Stale", "InRange"], board.Select(p => p.GetProperty("urgency").GetString()));
        var steadyRow = board[2];
        Assert.Equal(120, steadyRow.GetProperty("mgdl").GetDouble());
        Assert.Equal(100.0, steadyRow.GetProperty("inRange24Hours").GetDouble(), 6);
        Assert.Equal(100.0, steadyRow.GetProperty("inRange14Days").GetDouble(), 6);
        Assert.Equal(0.0, board[0].GetProperty("inRange24Hours").GetDouble(), 6);

        // Staff read one patient's report and chart.
        var (reportStatus, report) = await api.SendAsync(MultiSiteApi.SiteRequest(clinic.Id, HttpMethod.Get, $"/api/v4/clinic/patients/{steady.Id}/statistics?token={nurse}"));
        Assert.Equal(200, reportStatus);
        Assert.Equal(12, report.GetProperty("readings").GetInt32());
        var (chartStatus, chart) = await api.SendAsync(MultiSiteApi.SiteRequest(clinic.Id, HttpMethod.Get, $"/api/v4/clinic/patients/{steady.Id}/chart?hours=3&token={nurse}"));
        Assert.Equal(200, chartStatus);
        Assert.Equal(12, chart.GetProperty("readings").GetArrayLength());

        // Revocation is in force at the next request.
        Assert.Equal(200, (await api.SendAsAdminAsync(low.Id, low.Secret, HttpMethod.Delete, $"/api/v4/clinic-shares/{clinic.Id}")).Status);
        Assert.DoesNotContain(low.Id, (await BoardAsync(clinic, nurse)).Select(p => p.GetProperty("site").GetString()));
        Assert.Equal(404, (await api.SendAsync(MultiSiteApi.SiteRequest(clinic.Id, HttpMethod.Get, $"/api/v4/clinic/patients/{low.Id}/statistics?token={nurse}"))).Status);

        // The patients' audit logs: who shared, looked and revoked.
        var steadyAudit = await AuditAsync(steady);
        Assert.Contains(steadyAudit, e => e.Action == "shared" && e.Clinic == clinic.Id);
        Assert.Contains(steadyAudit, e => e.Action == "board" && e.Subject == "nurse");
        Assert.Contains(steadyAudit, e => e.Action == "report" && e.Subject == "nurse");
        Assert.Contains(steadyAudit, e => e.Action == "chart" && e.Subject == "nurse");
        Assert.Contains(await AuditAsync(low), e => e.Action == "revoked" && e.Clinic == clinic.Id);
        var shares = await api.GetOkAsync(low.Id, low.Secret, "/api/v4/clinic-shares");
        Assert.Equal(0, shares.GetProperty("clinics").GetArrayLength());
    }

    [Fact]
    public async Task TheBoardIsLiveANewReadingAndARevocationReachStaffAtOnce()
    {
        var clinic = await CreateClinicAsync("clinic-live");
        var nurse = await api.CreateSubjectAsync(clinic.Id, clinic.Secret, "nurse", "readable");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var patient = await PatientWithReadingsAsync("falling", now - 5 * 60_000, 120);
        var other = await PatientWithReadingsAsync("quiet", now, 130);
        Assert.Equal(200, (await AcceptAsync(clinic, await InviteAsync(patient))).Status);
        Assert.Equal(200, (await AcceptAsync(clinic, await InviteAsync(other))).Status);
        Assert.Equal(120, Row(await BoardAsync(clinic, nurse), patient).GetProperty("mgdl").GetDouble());

        await using var staff = await HubFollower.ConnectAsync(api.Factory, clinic.Id, nurse, hub: "clinic");
        await using var mum = await HubFollower.ConnectAsync(api.Factory, patient.Id, await api.CreateSubjectAsync(patient.Id, patient.Secret, "mum", "readable"));
        Assert.Equal(200, (await api.SendAsAdminAsync(patient.Id, patient.Secret, HttpMethod.Post, "/api/v1/entries",
            new[] { new { type = "sgv", sgv = 48, direction = "DoubleDown", date = now } })).Status);
        await staff.NextAsync("boardUpdate", p => p.GetProperty("site").GetString() == patient.Id);
        var board = await BoardAsync(clinic, nurse);
        Assert.Equal(patient.Id, board[0].GetProperty("site").GetString());
        Assert.Equal(48, board[0].GetProperty("mgdl").GetDouble());
        Assert.Equal("UrgentLow", board[0].GetProperty("urgency").GetString());
        Assert.Equal("DoubleDown", board[0].GetProperty("direction").GetString());
        Assert.Equal(-72, board[0].GetProperty("deltaMgdl").GetDouble());

        // The patient's own followers get their data, never the clinic's board events.
        await mum.NextAsync("dataUpdate", p => HubFollower.HasSgv(p, 48));
        Assert.DoesNotContain(mum.Pending(), e => e.Name == "boardUpdate");

        Assert.Equal(200, (await api.SendAsAdminAsync(patient.Id, patient.Secret, HttpMethod.Delete, $"/api/v4/clinic-shares/{clinic.Id}")).Status);
        await staff.NextAsync("boardUpdate", p => p.GetProperty("site").GetString() == patient.Id);
        Assert.Equal([other.Id], (await BoardAsync(clinic, nurse)).Select(p => p.GetProperty("site").GetString()));

        // After the revocation the patient's uploads no longer reach the clinic at all.
        Assert.Equal(200, (await api.SendAsAdminAsync(patient.Id, patient.Secret, HttpMethod.Post, "/api/v1/entries",
            new[] { new { type = "sgv", sgv = 55, date = now + 60_000 } })).Status);
        await mum.NextAsync("dataUpdate", p => HubFollower.HasSgv(p, 55));
        Assert.Equal(200, (await api.SendAsAdminAsync(other.Id, other.Secret, HttpMethod.Post, "/api/v1/entries",
            new[] { new { type = "sgv", sgv = 131, date = now + 60_000 } })).Status);
        string? site;
        do
        {
            site = (await staff.NextAsync("boardUpdate")).GetProperty("site").GetString();
            Assert.NotEqual(patient.Id, site);
        }
        while (site != other.Id);
    }

    [Fact]
    public async Task OnlyAClinicsStaffOpenItsBoardHub()
    {
        var clinic = await CreateClinicAsync("clinic-hub");
        var patient = await PatientWithReadingsAsync("hubcheck", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 100);

        // A wrong token is refused at the door; a patient site has no board to follow.
        await Assert.ThrowsAnyAsync<Exception>(() => HubFollower.ConnectAsync(api.Factory, clinic.Id, "not-a-token", hub: "clinic"));
        var follower = await api.CreateSubjectAsync(patient.Id, patient.Secret, "dad", "readable");
        HubFollower? onPatient = null;
        try
        {
            onPatient = await HubFollower.ConnectAsync(api.Factory, patient.Id, follower, hub: "clinic");
        }
        catch (Exception)
        {
            // Refused during the handshake: as good as closed.
        }

        if (onPatient is not null)
        {
            await using (onPatient)
            {
                var until = DateTime.UtcNow.AddSeconds(10);
                while (onPatient.Connection.State != HubConnectionState.Disconnected && DateTime.UtcNow < until)
                {
                    await Task.Delay(50);
                }

                Assert.Equal(HubConnectionState.Disconnected, onPatient.Connection.State);
            }
        }
    }

    [Fact]
    public async Task AnotherClinicSeesNothingOfAPatientWhoSharedOnlyWithTheFirst()
    {
        var x = await CreateClinicAsync("clinic-x");
        var y = await CreateClinicAsync("clinic-y");
        var staffX = await api.CreateSubjectAsync(x.Id, x.Secret, "doctor", "readable");
        var staffY = await api.CreateSubjectAsync(y.Id, y.Secret, "doctor", "readable");
        var patient = await PatientWithReadingsAsync("shares-x", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 110);
        var code = await InviteAsync(patient);
        Assert.Equal(200, (await AcceptAsync(x, code)).Status);

        Assert.Empty(await BoardAsync(y, staffY));
        Assert.Equal(404, (await api.SendAsync(MultiSiteApi.SiteRequest(y.Id, HttpMethod.Get, $"/api/v4/clinic/patients/{patient.Id}/statistics?token={staffY}"))).Status);
        Assert.Equal(404, (await api.SendAsync(MultiSiteApi.SiteRequest(y.Id, HttpMethod.Get, $"/api/v4/clinic/patients/{patient.Id}/chart?token={staffY}"))).Status);
        // A code works once.
        Assert.Equal(410, (await AcceptAsync(y, code)).Status);
        // Clinic staff credentials open nothing on the patient's own site.
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(patient.Id, HttpMethod.Get, $"/api/v1/entries.json?token={staffX}"))).Status);
        Assert.Single(await BoardAsync(x, staffX));
    }

    [Fact]
    public async Task CodesPermissionsAndClinicSitesAreChecked()
    {
        var clinic = await CreateClinicAsync("clinic-z");
        var patient = await PatientWithReadingsAsync("checks", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 100);

        Assert.Equal(404, (await AcceptAsync(clinic, "AAAA-BBBB-CCCC-DDDD")).Status);
        Assert.Equal(400, (await AcceptAsync(clinic, "")).Status);
        foreach (var hours in new[] { 0, 721, -5 })
        {
            Assert.Equal(400, (await api.SendAsAdminAsync(patient.Id, patient.Secret, HttpMethod.Post, "/api/v4/clinic-shares/invitations", new { expiresInHours = hours })).Status);
        }

        // An expired code is refused (its expiry moved into the past in the database).
        var code = await InviteAsync(patient);
        await using (var connection = new NpgsqlConnection(api.Factory.Postgres))
        {
            await connection.OpenAsync();
            await using var expire = new NpgsqlCommand("UPDATE clinic_invitations SET expires_at = now() - interval '1 minute' WHERE patient_id = @p", connection);
            expire.Parameters.AddWithValue("p", patient.Id);
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }

        Assert.Equal(410, (await AcceptAsync(clinic, code)).Status);

        // Read-only staff cannot accept codes; a patient's follower cannot invite clinics (401, as Nightscout
        // answers a credential without the permission).
        var staff = await api.CreateSubjectAsync(clinic.Id, clinic.Secret, "reception", "readable");
        var fresh = await InviteAsync(patient);
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(clinic.Id, HttpMethod.Post, $"/api/v4/clinic/invitations/accept?token={staff}", body: new { code = fresh }))).Status);
        var follower = await api.CreateSubjectAsync(patient.Id, patient.Secret, "mum", "readable");
        Assert.Equal(401, (await api.SendAsync(MultiSiteApi.SiteRequest(patient.Id, HttpMethod.Post, $"/api/v4/clinic-shares/invitations?token={follower}", body: new { }))).Status);

        // A clinic holds no glucose data; clinic routes do not exist on a patient's site.
        var (uploadStatus, upload) = await api.SendAsAdminAsync(clinic.Id, clinic.Secret, HttpMethod.Post, "/api/v1/entries", new[] { new { type = "sgv", sgv = 100, date = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() } });
        Assert.Equal(403, uploadStatus);
        Assert.Equal(403, upload.GetProperty("status").GetInt32());
        Assert.Equal(0, (await api.GetOkAsync(clinic.Id, clinic.Secret, "/api/v1/entries.json")).GetArrayLength());
        Assert.Equal(404, (await api.SendAsAdminAsync(patient.Id, patient.Secret, HttpMethod.Get, "/api/v4/clinic/board")).Status);
        Assert.Equal(400, (await api.SendAsAdminAsync(clinic.Id, clinic.Secret, HttpMethod.Post, "/api/v4/clinic-shares/invitations", new { })).Status);
    }

    [Fact]
    public async Task AClinicIsStillAClinicWhenItsSiteIsLoadedAgainFromTheDatabase()
    {
        var clinic = await CreateClinicAsync("clinic-reload");
        await GrainReload.ReloadSiteAsync(api, clinic.Id);
        // A credential never used before: its grant comes from the reloaded site, not from a grant kept in the API.
        var admin = await api.CreateSubjectAsync(clinic.Id, clinic.Secret, "manager", "admin");

        Assert.Equal(403, (await api.SendAsync(MultiSiteApi.SiteRequest(clinic.Id, HttpMethod.Post, $"/api/v1/entries?token={admin}",
            body: new[] { new { type = "sgv", sgv = 100, date = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() } }))).Status);
        Assert.Equal(403, (await api.SendAsync(MultiSiteApi.SiteRequest(clinic.Id, HttpMethod.Post, $"/api/v1/treatments?token={admin}",
            body: new[] { new { eventType = "Note", notes = "not here" } }))).Status);
        Assert.Empty(await BoardAsync(clinic, admin));
        Assert.Equal(0, (await api.GetOkAsync(clinic.Id, clinic.Secret, "/api/v1/entries.json")).GetArrayLength());
    }

    private async Task<Site> CreateClinicAsync(string prefix)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var secret = $"secret-of-{id}";
        var (status, body) = await api.SendAsync(MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/clinics", new { id, displayName = id, apiSecret = secret }));
        Assert.Equal(201, status);
        Assert.Equal("clinic", body.GetProperty("kind").GetString());
        return new Site(id, secret);
    }

    // Twelve readings five minutes apart ending at `newest`, all at one value.
    private async Task<Site> PatientWithReadingsAsync(string prefix, long newest, int sgv)
    {
        var (id, secret) = await api.CreateSiteAsync(prefix);
        var entries = Enumerable.Range(0, 12).Select(i => new { type = "sgv", sgv, direction = "Flat", date = newest - i * 300_000L }).ToArray();
        Assert.Equal(200, (await api.SendAsAdminAsync(id, secret, HttpMethod.Post, "/api/v1/entries", entries)).Status);
        return new Site(id, secret);
    }

    private async Task<string> InviteAsync(Site patient)
    {
        var (status, body) = await api.SendAsAdminAsync(patient.Id, patient.Secret, HttpMethod.Post, "/api/v4/clinic-shares/invitations", new { expiresInHours = 24 });
        Assert.Equal(201, status);
        return body.GetProperty("code").GetString()!;
    }

    private Task<(int Status, JsonElement Body)> AcceptAsync(Site clinic, string code) =>
        api.SendAsAdminAsync(clinic.Id, clinic.Secret, HttpMethod.Post, "/api/v4/clinic/invitations/accept", new { code });

    private async Task<List<JsonElement>> BoardAsync(Site clinic, string staffToken)
    {
        var (status, body) = await api.SendAsync(MultiSiteApi.SiteRequest(clinic.Id, HttpMethod.Get, $"/api/v4/clinic/board?token={staffToken}"));
        Assert.Equal(200, status);
        return body.GetProperty("patients").EnumerateArray().ToList();
    }

    private static JsonElement Row(List<JsonElement> board, Site patient) => board.Single(p => p.GetProperty("site").GetString() == patient.Id);

    private async Task<List<(string Action, string Clinic, string? Subject)>> AuditAsync(Site patient) =>
        (await api.GetOkAsync(patient.Id, patient.Secret, "/api/v4/clinic-shares/audit")).EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("clinic").GetString()!, e.TryGetProperty("subject", out var s) ? s.GetString() : null))
            .ToList();
}
