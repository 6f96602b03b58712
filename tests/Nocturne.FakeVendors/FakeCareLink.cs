using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.FakeVendors;

/// <summary>
/// MiniMed CareLink as docs/connectors/carelink.md describes it: the discovery document per region,
/// the SSO configuration naming the token endpoint, refresh tokens that rotate (each one works
/// once), users/me and the linked patients, and the monitor data (<c>display/message</c>) with
/// the pump's local clock written as if UTC.
/// </summary>
public sealed class FakeCareLink : FakeVendorServer
{
    private readonly ConcurrentDictionary<string, Account> _refreshTokens = new();
    private readonly ConcurrentDictionary<string, Account> _accessTokens = new();

    public sealed class Account(string username, string role)
    {
        public string Username { get; } = username;

        public string Role { get; } = role;

        public List<string> LinkedPatients { get; } = [];

        public int Refreshes { get; set; }

        public int RefusedRefreshes { get; set; }
    }

    public sealed class Patient
    {
        /// <summary>Hours the pump's clock is ahead of UTC.</summary>
        public double PumpOffsetHours { get; set; } = 1;

        /// <summary>UTC time, sg (0 = no reading) and sensor state.</summary>
        public List<(DateTimeOffset At, int Sg, string State)> Readings { get; } = [];

        /// <summary>Markers with their UTC time; dateTime is written in the pump's clock when served.</summary>
        public List<(DateTimeOffset At, JsonObject Marker)> Markers { get; } = [];

        public JsonObject State { get; } = new()
        {
            ["medicalDeviceFamily"] = "NGP",
            ["medicalDeviceBatteryLevelPercent"] = 75,
            ["reservoirRemainingUnits"] = 120.5,
            ["activeInsulin"] = new JsonObject { ["amount"] = 2.3, ["kind"] = "Insulin" },
            ["sensorState"] = "NO_ERROR_MESSAGE",
            ["calibStatus"] = "LESS_THAN_TWELVE_HRS",
            ["sensorDurationHours"] = 96,
            ["timeToNextCalibHours"] = 6,
            ["conduitBatteryLevel"] = 80,
            ["medicalDeviceSuspended"] = false,
            ["lastSGTrend"] = "UP",
            ["pumpModelNumber"] = "MMT-1886",
            ["therapyAlgorithmState"] = new JsonObject { ["autoModeShieldState"] = "AUTO_BASAL", ["autoModeReadinessState"] = "READY" },
        };

        /// <summary>When the pump last reported (default: the newest reading).</summary>
        public DateTimeOffset? LastReport { get; set; }
    }

    public ConcurrentDictionary<string, Patient> Patients { get; } = new();

    public ConcurrentDictionary<string, Account> Accounts { get; } = new();

    public int ExpiresInSeconds { get; set; } = 3600;

    /// <summary>An account (patient or care partner) and the login data a browser login would have left.</summary>
    public (Account Account, string LoginData) AddAccount(string username, string role)
    {
        var account = Accounts[username] = new Account(username, role);
        var refresh = NewToken();
        _refreshTokens[refresh] = account;
        return (account, new JsonObject { ["refresh_token"] = refresh, ["client_id"] = "carelink-app", ["client_secret"] = "app-secret", ["mag-identifier"] = "mag-1", ["access_token"] = "old" }.ToJsonString());
    }

    public void ExpireAccessTokens() => _accessTokens.Clear();

    public void RevokeRefreshTokens() => _refreshTokens.Clear();

    protected override void Map(WebApplication app)
    {
        app.MapGet("/connect/carepartner/v13/discover/android/3.6", () => Results.Text(new JsonObject
        {
            ["supportedCountries"] = new JsonArray(new JsonObject { ["code"] = "DE", ["region"] = "EU" }),
            ["CP"] = new JsonArray([.. new[] { "EU", "US" }.Select(region => (JsonNode)new JsonObject
            {
                ["region"] = region,
                ["baseUrlCareLink"] = new Uri(BaseUrl, $"{region.ToLowerInvariant()}/carelink").ToString(),
                ["baseUrlCumulus"] = new Uri(BaseUrl, $"{region.ToLowerInvariant()}/cumulus").ToString(),
                ["Auth0SSOConfiguration"] = new Uri(BaseUrl, "sso/config.json").ToString(),
            })]),
        }.ToJsonString(), "application/json"));

        app.MapGet("/sso/config.json", () => Results.Json(new
        {
            server = new { hostname = BaseUrl.Host, port = BaseUrl.Port, prefix = "auth" },
            system_endpoints = new { token_endpoint_path = "/oauth/token", authorization_endpoint_path = "/authorize" },
        }));

        app.MapPost("/auth/oauth/token", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            if (form["grant_type"] != "refresh_token" || form["client_id"] != "carelink-app" || form["client_secret"] != "app-secret"
                || http.Request.Headers["mag-identifier"] != "mag-1" || !_refreshTokens.TryRemove(form["refresh_token"].ToString(), out var account))
            {
                foreach (var a in Accounts.Values)
                {
                    a.RefusedRefreshes++;
                }

                return Results.Json(new { error = "invalid_grant", error_description = "Unknown or already used refresh token" }, statusCode: 400);
            }

            // Rotation: the used refresh token is gone; a new one comes with the access token.
            account.Refreshes++;
            var refresh = NewToken();
            var access = NewToken();
            _refreshTokens[refresh] = account;
            _accessTokens[access] = account;
            return Results.Json(new { access_token = access, refresh_token = refresh, token_type = "Bearer", expires_in = ExpiresInSeconds });
        });

        app.MapGet("/{region}/carelink/patient/users/me", (HttpContext http) =>
            Authorised(http) is { } account ? Results.Json(new { username = account.Username, role = account.Role, firstName = "Test" }) : Results.StatusCode(401));

        app.MapGet("/{region}/carelink/patient/m2m/links/patients", (HttpContext http) =>
            Authorised(http) is { } account ? Results.Json(account.LinkedPatients.Select(p => new { username = p, firstName = p, status = "ACTIVE" })) : Results.StatusCode(401));

        app.MapPost("/{region}/cumulus/display/message", async (HttpContext http) =>
        {
            if (Authorised(http) is not { } account)
            {
                return Results.StatusCode(401);
            }

            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            var username = body.GetProperty("username").GetString()!;
            if ((username != account.Username && !account.LinkedPatients.Contains(username)) || !Patients.TryGetValue(username, out var patient))
            {
                return Results.StatusCode(403);
            }

            lock (patient)
            {
                return Results.Text(new JsonObject { ["patientData"] = PatientData(patient) }.ToJsonString(), "application/json");
            }
        });
    }

    /// <summary>What CareLink answers for the patient now (<c>patientData</c> of display/message).</summary>
    public static JsonObject PatientData(Patient patient)
    {
        var offset = TimeSpan.FromHours(patient.PumpOffsetHours);
        var report = patient.LastReport ?? (patient.Readings.Count > 0 ? patient.Readings.Max(r => r.At) : DateTimeOffset.UtcNow);
        var data = (JsonObject)patient.State.DeepClone();
        data["lastMedicalDeviceDataUpdateServerTime"] = report.ToUnixTimeMilliseconds();
        data["sMedicalDeviceTime"] = PumpClock(report, offset);
        data["currentServerTime"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        data["sgs"] = new JsonArray([.. patient.Readings.OrderBy(r => r.At).Select(r => (JsonNode)new JsonObject
        {
            ["sg"] = r.Sg, ["datetime"] = PumpClock(r.At, offset), ["sensorState"] = r.State, ["kind"] = "SG", ["version"] = 1,
        })]);
        data["markers"] = new JsonArray([.. patient.Markers.OrderBy(m => m.At).Select((m, i) =>
        {
            var marker = (JsonObject)m.Marker.DeepClone();
            marker["dateTime"] = PumpClock(m.At, offset);
            marker["index"] = i;
            return (JsonNode)marker;
        })]);
        return data;
    }

    // The pump's local clock, labelled as UTC (as CareLink does).
    private static string PumpClock(DateTimeOffset at, TimeSpan offset) =>
        at.UtcDateTime.Add(offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'-00:00'", CultureInfo.InvariantCulture);

    private Account? Authorised(HttpContext http)
    {
        var bearer = http.Request.Headers.Authorization.ToString();
        return bearer.StartsWith("Bearer ", StringComparison.Ordinal) && _accessTokens.TryGetValue(bearer[7..], out var account) ? account : null;
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
}
