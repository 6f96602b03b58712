using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.FakeVendors;

/// <summary>
/// Dexcom Share as docs/connectors/dexcom-share.md describes it: two-step login with the
/// application id, session ids, ReadPublisherLatestGlucoseValues bounded to 1440 minutes and 288
/// values, errors as HTTP 500 with a JSON Code, and a lock after repeated wrong passwords.
/// </summary>
public sealed class FakeDexcomShare : FakeVendorServer
{
    private const string Services = "/ShareWebServices/Services";
    private readonly ConcurrentDictionary<string, string> _sessions = new();

    public sealed record Account(string Password, string AccountId, List<FakeReading> Readings)
    {
        public int FailedLogins { get; set; }
    }

    public ConcurrentDictionary<string, Account> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Trends as names ("Flat") like the current service, or numbers like older ones.</summary>
    public bool TrendsAsNames { get; set; } = true;

    /// <summary>Successful logins per account name.</summary>
    public ConcurrentDictionary<string, int> Logins { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every session id ever handed out (secrets a client must never show).</summary>
    public ConcurrentBag<string> IssuedSessions { get; } = [];

    /// <summary>Every (account, minutes, maxCount) asked of ReadPublisherLatestGlucoseValues.</summary>
    public ConcurrentQueue<(string Account, int Minutes, int MaxCount)> Reads { get; } = new();

    /// <summary>Reads per account name.</summary>
    public ConcurrentDictionary<string, int> ReadsByAccount { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Account AddAccount(string username, string password, List<FakeReading> readings) =>
        Accounts[username] = new Account(password, Guid.NewGuid().ToString(), readings);

    /// <summary>Forgets every session, as Dexcom does after a while.</summary>
    public void ExpireSessions() => _sessions.Clear();

    private static readonly string[] TrendNames = ["None", "DoubleUp", "SingleUp", "FortyFiveUp", "Flat", "FortyFiveDown", "SingleDown", "DoubleDown", "NotComputable", "RateOutOfRange"];

    protected override void Map(WebApplication app)
    {
        app.MapPost($"{Services}/General/AuthenticatePublisherAccount", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            if ((Problem(body, "accountName") ?? CheckApplication(body)) is { } problem)
            {
                return problem;
            }

            if (!Accounts.TryGetValue(body.GetProperty("accountName").GetString()!, out var account))
            {
                return Error("SSO_AuthenticateAccountNotFound", "Account not found");
            }

            return CheckPassword(account, body) ?? Results.Json(account.AccountId);
        });

        app.MapPost($"{Services}/General/LoginPublisherAccountById", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            if ((Problem(body, "accountId") ?? CheckApplication(body)) is { } problem)
            {
                return problem;
            }

            var id = body.GetProperty("accountId").GetString();
            var (name, account) = Accounts.FirstOrDefault(a => a.Value.AccountId == id);
            if (account is null)
            {
                return Error("AccountNotFound", "Account not found");
            }

            if (CheckPassword(account, body) is { } refused)
            {
                return refused;
            }

            Logins.AddOrUpdate(name, 1, (_, n) => n + 1);
            var session = Guid.NewGuid().ToString();
            _sessions[session] = name;
            IssuedSessions.Add(session);
            return Results.Json(session);
        });

        app.MapPost($"{Services}/Publisher/ReadPublisherLatestGlucoseValues", (string? sessionId, int? minutes, int? maxCount) =>
        {
            if (sessionId is null || !_sessions.TryGetValue(sessionId, out var name))
            {
                return Error("SessionIdNotFound", "Session id not found");
            }

            if (minutes is not (>= 1 and <= 1440) || maxCount is not (>= 1 and <= 288))
            {
                return Error("InvalidArgument", "minutes must be 1..1440 and maxCount 1..288");
            }

            Reads.Enqueue((name, minutes.Value, maxCount.Value));
            ReadsByAccount.AddOrUpdate(name, 1, (_, n) => n + 1);
            var from = DateTimeOffset.UtcNow.AddMinutes(-minutes.Value).ToUnixTimeMilliseconds();
            var values = Accounts[name].Readings.Where(r => r.Ms >= from).OrderByDescending(r => r.Ms).Take(maxCount.Value).Select(r => new Dictionary<string, object>
            {
                ["WT"] = $"Date({r.Ms})",
                ["ST"] = $"Date({r.Ms})",
                ["DT"] = $"Date({r.Ms}-0500)",
                ["Value"] = r.Mgdl,
                ["Trend"] = TrendsAsNames ? TrendNames[r.Trend] : r.Trend,
            });
            return Results.Json(values);
        });
    }

    private static IResult? Problem(JsonElement body, string field) =>
        body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String
            ? Error("InvalidArgument", $"{field} is required")
            : null;

    private static IResult? CheckApplication(JsonElement body) =>
        body.TryGetProperty("applicationId", out var app) && app.GetString() == "d89443d2-327c-4a6f-89e5-496bbb0317db"
            ? null
            : Error("InvalidArgument", "Unknown application");

    private static IResult? CheckPassword(Account account, JsonElement body)
    {
        if (account.FailedLogins >= 3)
        {
            return Error("SSO_AuthenticateMaxAttemptsExceeed", "Too many attempts");
        }

        if (!body.TryGetProperty("password", out var password) || password.GetString() != account.Password)
        {
            account.FailedLogins++;
            return Error("AccountPasswordInvalid", "Invalid password");
        }

        return null;
    }

    private static IResult Error(string code, string message) =>
        // Dexcom's own capitalised field names (an anonymous type would come out camel-cased).
        Results.Json(new Dictionary<string, string?> { ["Code"] = code, ["Message"] = message, ["SubCode"] = null, ["TypeName"] = "FaultException" }, statusCode: 500);
}
