using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.FakeVendors;

/// <summary>
/// Tidepool as docs/connectors/tidepool.md describes it: <c>POST /auth/login</c> with basic auth
/// answering the session token in <c>x-tidepool-session-token</c> and the user id in the body;
/// <c>GET /data/{userId}?type=..&amp;startDate=..</c> with that header, for the account's own data
/// or a user who shared theirs with it; 401 for an unknown token, 403 for data not shared.
/// </summary>
public sealed class FakeTidepool : FakeVendorServer
{
    private readonly ConcurrentDictionary<string, Account> _tokens = new();

    public sealed record Account(string Email, string Password, string UserId)
    {
        /// <summary>The user's data, as Tidepool stores it (mmol/L, UTC times with timezoneOffset).</summary>
        public List<JsonObject> Data { get; } = [];

        /// <summary>User ids of the accounts this user shares their data with.</summary>
        public HashSet<string> SharedWith { get; } = [];
    }

    public ConcurrentDictionary<string, Account> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<string, int> Logins { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<string, int> FailedLogins { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Account AddAccount(string email, string password) => Accounts[email] = new Account(email, password, Guid.NewGuid().ToString("N")[..10]);

    public void ExpireTokens() => _tokens.Clear();

    protected override void Map(WebApplication app)
    {
        app.MapPost("/auth/login", (HttpContext http) =>
        {
            var basic = http.Request.Headers.Authorization.ToString();
            var pair = basic.StartsWith("Basic ", StringComparison.Ordinal) ? Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2) : [];
            if (pair.Length != 2 || !Accounts.TryGetValue(pair[0], out var account) || account.Password != pair[1])
            {
                FailedLogins.AddOrUpdate(pair.FirstOrDefault() ?? "", 1, (_, n) => n + 1);
                return Results.Json(new { code = 401, message = "Wrong password" }, statusCode: 401);
            }

            Logins.AddOrUpdate(account.Email, 1, (_, n) => n + 1);
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            _tokens[token] = account;
            http.Response.Headers["x-tidepool-session-token"] = token;
            return Results.Json(new { emailVerified = true, emails = new[] { account.Email }, termsAccepted = "2020-01-01T00:00:00Z", userid = account.UserId, username = account.Email });
        });

        app.MapGet("/data/{userId}", (string userId, HttpContext http) =>
        {
            if (!_tokens.TryGetValue(http.Request.Headers["x-tidepool-session-token"].ToString(), out var viewer))
            {
                return Results.Json(new { code = 401, message = "Unauthorized" }, statusCode: 401);
            }

            var owner = Accounts.Values.FirstOrDefault(a => a.UserId == userId);
            if (owner is null || (owner != viewer && !owner.SharedWith.Contains(viewer.UserId)))
            {
                return Results.Json(new { code = 403, message = "Forbidden" }, statusCode: 403);
            }

            var types = http.Request.Query["type"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            var start = DateTimeOffset.TryParse(http.Request.Query["startDate"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s) ? s : DateTimeOffset.MinValue;
            lock (owner.Data)
            {
                var data = owner.Data.Where(d => (types.Count == 0 || types.Contains((string)d["type"]!))
                    && DateTimeOffset.Parse((string)d["time"]!, CultureInfo.InvariantCulture) >= start).Select(d => d.DeepClone()).ToArray();
                return Results.Text(new JsonArray(data).ToJsonString(), "application/json");
            }
        });
    }

    /// <summary>A datum of <paramref name="type"/> at <paramref name="at"/> (UTC) with the device's offset in minutes.</summary>
    public static JsonObject Datum(string type, DateTimeOffset at, int timezoneOffset, string? id = null) => new()
    {
        ["type"] = type,
        ["id"] = id ?? Guid.NewGuid().ToString("N"),
        ["time"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        ["timezoneOffset"] = timezoneOffset,
        ["deviceId"] = "tandem-123",
        ["uploadId"] = "upload-1",
    };
}
