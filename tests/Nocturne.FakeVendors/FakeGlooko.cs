using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.FakeVendors;

/// <summary>
/// Glooko as docs/connectors/glooko.md describes it: sign-in setting the <c>_logbook-web_session</c>
/// cookie and answering the patient's glookoCode; v2 endpoints that need the cookie and the
/// patient code, select records by startDate/endDate in the device's local wall clock written as
/// UTC, and page by (updatedAt, guid) after lastUpdatedAt/lastGuid, limit records at a time.
/// </summary>
public sealed class FakeGlooko : FakeVendorServer
{
    public const string FirstGuid = "1e0c094e-1e54-4a4f-8e6a-f94484b53789";

    private static readonly Dictionary<string, string> Arrays = new()
    {
        ["cgm/readings"] = "readings",
        ["readings"] = "readings",
        ["pumps/normal_boluses"] = "normalBoluses",
        ["pumps/temporary_basals"] = "temporaryBasals",
        ["pumps/suspend_basals"] = "suspendBasals",
        ["pumps/scheduled_basals"] = "scheduledBasals",
        ["foods"] = "foods",
    };

    private readonly ConcurrentDictionary<string, Account> _sessions = new();
    private long _updated;

    public sealed record Account(string Email, string Password, string GlookoCode)
    {
        /// <summary>Records per endpoint (path after <c>/api/v2/</c>).</summary>
        public ConcurrentDictionary<string, List<JsonObject>> Records { get; } = new();
    }

    public ConcurrentDictionary<string, Account> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<string, int> Logins { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<string, int> FailedLogins { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Account AddAccount(string email, string password) => Accounts[email] = new Account(email, password, $"us-{Guid.NewGuid():N}"[..16]);

    public void ExpireSessions() => _sessions.Clear();

    /// <summary>A record at the device's local wall clock (written with "Z", as Glooko does).</summary>
    public JsonObject Record(DateTime wallClock, object fields)
    {
        var record = new JsonObject
        {
            ["guid"] = Guid.NewGuid().ToString(),
            ["timestamp"] = Wall(wallClock),
            ["softDeleted"] = false,
        };
        foreach (var (key, value) in JsonSerializer.SerializeToNode(fields)!.AsObject())
        {
            record[key] = value?.DeepClone();
        }

        Touch(record);
        return record;
    }

    /// <summary>Marks a record as changed now (Glooko's updatedAt), as an edit in the app does.</summary>
    public void Touch(JsonObject record) =>
        record["updatedAt"] = DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000 + Interlocked.Increment(ref _updated)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Wall(DateTime wallClock) => wallClock.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    protected override void Map(WebApplication app)
    {
        app.MapPost("/api/v2/users/sign_in", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            var login = body.TryGetProperty("userLogin", out var l) ? l : default;
            var email = login.ValueKind == JsonValueKind.Object && login.TryGetProperty("email", out var e) ? e.GetString() : null;
            var password = login.ValueKind == JsonValueKind.Object && login.TryGetProperty("password", out var p) ? p.GetString() : null;
            if (!body.TryGetProperty("deviceInformation", out _) || email is null || !Accounts.TryGetValue(email, out var account) || account.Password != password)
            {
                FailedLogins.AddOrUpdate(email ?? "", 1, (_, n) => n + 1);
                return Results.Json(new { success = false, message = "Invalid email or password" }, statusCode: 401);
            }

            Logins.AddOrUpdate(email, 1, (_, n) => n + 1);
            var session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            _sessions[session] = account;
            http.Response.Headers.Append("Set-Cookie", "glooko_locale=en; path=/");
            http.Response.Headers.Append("Set-Cookie", $"_logbook-web_session={session}; path=/; secure; HttpOnly; SameSite=Lax");
            return Results.Json(new { success = true, userLogin = new { email, glookoCode = account.GlookoCode, firstName = "Test" } });
        });

        app.MapGet("/api/v2/{**path}", (string path, HttpContext http) =>
        {
            var cookie = http.Request.Headers.Cookie.ToString().Split(';').Select(c => c.Trim()).FirstOrDefault(c => c.StartsWith("_logbook-web_session=", StringComparison.Ordinal));
            if (cookie is null || !_sessions.TryGetValue(cookie["_logbook-web_session=".Length..], out var account))
            {
                return Results.Json(new { success = false }, statusCode: 401);
            }

            if (http.Request.Query["patient"] != account.GlookoCode)
            {
                return Results.Json(new { success = false }, statusCode: 403);
            }

            if (!Arrays.TryGetValue(path, out var array))
            {
                return Results.NotFound();
            }

            var query = http.Request.Query;
            var start = WallOf(query["startDate"]);
            var end = WallOf(query["endDate"]);
            var lastGuid = query["lastGuid"].ToString();
            var lastUpdatedAt = query["lastUpdatedAt"].ToString();
            var limit = int.Parse(query["limit"].ToString(), CultureInfo.InvariantCulture);
            var records = account.Records.GetOrAdd(path, _ => []);
            lock (records)
            {
                var page = records
                    .Where(r => WallOf((string?)r["pumpTimestamp"] ?? (string)r["timestamp"]!) is var at && at >= start && at <= end)
                    .OrderBy(r => (string)r["updatedAt"]!, StringComparer.Ordinal).ThenBy(r => (string)r["guid"]!, StringComparer.Ordinal)
                    .Where(r => lastGuid == FirstGuid
                        || string.CompareOrdinal((string)r["updatedAt"]!, lastUpdatedAt) > 0
                        || ((string)r["updatedAt"]! == lastUpdatedAt && string.CompareOrdinal((string)r["guid"]!, lastGuid) > 0))
                    .Take(limit).Select(r => r.DeepClone()).ToArray();
                return Results.Text(new JsonObject { [array] = new JsonArray(page) }.ToJsonString(), "application/json");
            }
        });
    }

    private static DateTime WallOf(string? text) =>
        DateTime.Parse(text!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
