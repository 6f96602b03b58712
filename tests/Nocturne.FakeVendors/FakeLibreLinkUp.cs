using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.FakeVendors;

/// <summary>
/// LibreLinkUp as docs/connectors/librelinkup.md describes it, every region under its own path
/// prefix (<c>/{region}/llu/...</c>): product/version headers required, login redirected to the
/// account's region, terms to accept, bearer token plus Account-Id (SHA-256 of the user id),
/// connections with the latest measurement and a 12-hour graph, status codes in the body.
/// </summary>
public sealed class FakeLibreLinkUp : FakeVendorServer
{
    public static readonly string[] Regions = ["global", "eu", "us", "de"];

    private readonly ConcurrentDictionary<string, Account> _tokens = new();

    public sealed record Patient(string PatientId, string FirstName, List<FakeReading> Readings);

    public sealed record Account(string Password, string UserId, string Region, List<Patient> Patients)
    {
        public string? PendingStep { get; set; }
    }

    public ConcurrentDictionary<string, Account> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Login attempts per e-mail, refused ones included.</summary>
    public ConcurrentDictionary<string, int> LoginAttempts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Successful logins per e-mail.</summary>
    public ConcurrentDictionary<string, int> Logins { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Hours that UTC is behind the phone's local time in <c>Timestamp</c> (which a client must ignore).</summary>
    public int PhoneUtcOffsetHours { get; set; } = 2;

    public Account AddAccount(string email, string password, string region, params Patient[] patients) =>
        Accounts[email] = new Account(password, Guid.NewGuid().ToString(), region, patients.ToList());

    public void ExpireTokens() => _tokens.Clear();

    protected override void Map(WebApplication app)
    {
        app.MapPost("/{region}/llu/auth/login", async (string region, HttpContext http) =>
        {
            if (MissingHeaders(http) is { } refused)
            {
                return refused;
            }

            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            var email = body.TryGetProperty("email", out var e) ? e.GetString() : null;
            var password = body.TryGetProperty("password", out var p) ? p.GetString() : null;
            LoginAttempts.AddOrUpdate(email ?? "", 1, (_, n) => n + 1);
            if (email is null || !Accounts.TryGetValue(email, out var account) || account.Password != password)
            {
                return Results.Json(new { status = 2, error = new { message = "notAuthenticated" } });
            }

            if (account.Region != region)
            {
                return Results.Json(new { status = 0, data = new { redirect = true, region = account.Region } });
            }

            if (account.PendingStep is { } step)
            {
                return Results.Json(new { status = 4, data = new { step = new { type = step, componentName = "AcceptDocument" }, user = new { id = account.UserId } } });
            }

            Logins.AddOrUpdate(email, 1, (_, n) => n + 1);
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            _tokens[token] = account;
            return Results.Json(new
            {
                status = 0,
                data = new
                {
                    user = new { id = account.UserId, email, country = "DE" },
                    authTicket = new { token, expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), duration = 3_600_000 },
                },
            });
        });

        app.MapGet("/{region}/llu/connections", (string region, HttpContext http) =>
        {
            if (Authorised(http, region) is not { } account)
            {
                return Results.Json(new { message = "Unauthorized" }, statusCode: 401);
            }

            return Results.Json(new { status = 0, data = account.Patients.Select(p => Connection(p)).ToList() });
        });

        app.MapGet("/{region}/llu/connections/{patientId}/graph", (string region, string patientId, HttpContext http) =>
        {
            if (Authorised(http, region) is not { } account)
            {
                return Results.Json(new { message = "Unauthorized" }, statusCode: 401);
            }

            var patient = account.Patients.FirstOrDefault(p => p.PatientId == patientId);
            if (patient is null)
            {
                return Results.Json(new { status = 0, data = new { } });
            }

            var from = DateTimeOffset.UtcNow.AddHours(-12).ToUnixTimeMilliseconds();
            var newest = patient.Readings.MaxBy(r => r.Ms);
            var graph = patient.Readings.Where(r => r.Ms >= from && r != newest).OrderBy(r => r.Ms).Select(r => Measurement(r, trend: false)).ToList();
            return Results.Json(new { status = 0, data = new { connection = Connection(patient), activeSensors = Array.Empty<object>(), graphData = graph } });
        });
    }

    private Dictionary<string, object?> Connection(Patient patient) => new()
    {
        ["id"] = patient.PatientId,
        ["patientId"] = patient.PatientId,
        ["firstName"] = patient.FirstName,
        ["lastName"] = "Test",
        ["glucoseMeasurement"] = patient.Readings.MaxBy(r => r.Ms) is { } newest ? Measurement(newest, trend: true) : null,
    };

    private Dictionary<string, object> Measurement(FakeReading reading, bool trend)
    {
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(reading.Ms).UtcDateTime;
        var measurement = new Dictionary<string, object>
        {
            ["FactoryTimestamp"] = utc.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture),
            ["Timestamp"] = utc.AddHours(PhoneUtcOffsetHours).ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture),
            ["type"] = trend ? 1 : 0,
            ["ValueInMgPerDl"] = reading.Mgdl,
            ["Value"] = reading.Mgdl,
            ["MeasurementColor"] = 1,
            ["GlucoseUnits"] = 1,
            ["isHigh"] = false,
            ["isLow"] = false,
        };
        if (trend)
        {
            // Nightscout trend 2..6 (SingleUp..SingleDown) is LibreLinkUp's arrow 5..1.
            measurement["TrendArrow"] = reading.Trend is >= 2 and <= 6 ? 7 - reading.Trend : 3;
        }

        return measurement;
    }

    private Account? Authorised(HttpContext http, string region)
    {
        if (MissingHeaders(http) is not null)
        {
            return null;
        }

        var bearer = http.Request.Headers.Authorization.ToString();
        if (!bearer.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(bearer["Bearer ".Length..], out var account) || account.Region != region)
        {
            return null;
        }

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(account.UserId)));
        return http.Request.Headers["Account-Id"].ToString() == expected ? account : null;
    }

    private static IResult? MissingHeaders(HttpContext http) =>
        http.Request.Headers["product"] == "llu.android" && Version.TryParse(http.Request.Headers["version"], out var version) && version >= new Version(4, 7)
            ? null
            : Results.Json(new { status = 920, data = new { minimumVersion = "4.7.0" } }, statusCode: 403);
}
