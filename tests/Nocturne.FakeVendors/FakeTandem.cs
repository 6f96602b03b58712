using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.FakeVendors;

/// <summary>
/// Tandem Source as docs/connectors/tandem.md describes it: account login setting a session
/// cookie, the OIDC authorize endpoint redirecting (through one hop) to the client's registered
/// callback with a code, the token endpoint checking the PKCE verifier and answering an id token
/// with the pumperId claim, the pumper's devices and each device's pump log (events in the pump's
/// local clock, selected by whole days and event ids); the firewall wants the web app's Origin.
/// </summary>
public sealed class FakeTandem : FakeVendorServer
{
    private static readonly Dictionary<string, string> Clients = new()
    {
        ["0oa27ho9tpZE9Arjy4h7"] = "https://sso.tandemdiabetes.com/auth/callback",
        ["1519e414-eeec-492e-8c5e-97bea4815a10"] = "https://source.eu.tandemdiabetes.com/authorize/callback",
    };

    private readonly ConcurrentDictionary<string, Account> _cookies = new();
    private readonly ConcurrentDictionary<string, (Account Account, string Challenge, string Client)> _codes = new();
    private readonly ConcurrentDictionary<string, Account> _tokens = new();
    private long _sequence = 1000;

    public sealed class Account(string email, string password)
    {
        public string Email { get; } = email;

        public string Password { get; } = password;

        public string PumperId { get; } = Guid.NewGuid().ToString();

        public string Serial { get; } = Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);

        public string AssignmentId { get; } = Guid.NewGuid().ToString();

        public List<JsonObject> Events { get; } = [];

        public int Logins { get; set; }

        public int FailedLogins { get; set; }
    }

    public ConcurrentDictionary<string, Account> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Account AddAccount(string email, string password) => Accounts[email] = new Account(email, password);

    public void ExpireTokens() => _tokens.Clear();

    /// <summary>A pump event at the pump's local wall clock.</summary>
    public JsonObject Event(int code, DateTime wall, object? properties = null) => new()
    {
        ["eventCode"] = code,
        ["sequenceNumber"] = Interlocked.Increment(ref _sequence),
        ["pumpDateTime"] = wall.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        ["estimatedDateTime"] = null,
        ["eventProperties"] = properties is null ? new JsonObject() : JsonSerializer.SerializeToNode(properties),
    };

    protected override void Map(WebApplication app)
    {
        app.MapPost("/accounts/api/login", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            var email = body.TryGetProperty("username", out var u) ? u.GetString() : null;
            var password = body.TryGetProperty("password", out var p) ? p.GetString() : null;
            if (email is null || !Accounts.TryGetValue(email, out var account) || account.Password != password)
            {
                if (email is not null && Accounts.TryGetValue(email, out var known))
                {
                    known.FailedLogins++;
                }

                return Results.Json(new { status = "FAILED", message = "Invalid username or password" }, statusCode: 401);
            }

            account.Logins++;
            var cookie = NewSecret();
            _cookies[cookie] = account;
            http.Response.Headers.Append("Set-Cookie", $"tdc_session={cookie}; path=/; secure; HttpOnly");
            return Results.Json(new { redirectUrl = "/", status = "SUCCESS" });
        });

        app.MapGet("/accounts/api/connect/authorize", (HttpContext http) =>
        {
            var q = http.Request.Query;
            var session = http.Request.Cookies["tdc_session"];
            if (session is null || !_cookies.TryGetValue(session, out var account))
            {
                return Results.Redirect("/login");
            }

            if (!Clients.TryGetValue(q["client_id"].ToString(), out var callback) || q["redirect_uri"] != callback || q["response_type"] != "code"
                || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]))
            {
                return Results.BadRequest(new { error = "invalid_request" });
            }

            var code = NewSecret();
            _codes[code] = (account, q["code_challenge"].ToString(), q["client_id"].ToString());
            // One hop inside the identity server first, as the real one does.
            return Results.Redirect($"/accounts/api/connect/authorize/callback?code={code}&redirect_uri={Uri.EscapeDataString(callback)}");
        });

        app.MapGet("/accounts/api/connect/authorize/callback", (HttpContext http) =>
            Results.Redirect($"{http.Request.Query["redirect_uri"]}?code={http.Request.Query["code"]}&scope=openid%20profile%20email"));

        app.MapPost("/accounts/api/connect/token", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var grant) || grant.Client != form["client_id"]
                || Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge
                || form["redirect_uri"] != Clients[grant.Client])
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }

            var access = NewSecret();
            _tokens[access] = grant.Account;
            var header = Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"kid\":\"k1\"}"));
            var claims = Base64Url(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { sub = grant.Account.Email, pumperId = grant.Account.PumperId, accountId = Guid.NewGuid().ToString() })));
            return Results.Json(new { access_token = access, id_token = $"{header}.{claims}.c2lnbmF0dXJl", expires_in = 3600, token_type = "Bearer" });
        });

        app.MapGet("/api/reports/bff/pumper/{pumperId}", (string pumperId, HttpContext http) =>
        {
            if (Authorised(http) is not { } account)
            {
                return Results.StatusCode(401);
            }

            if (http.Request.Headers.Origin != "https://tconnect.tandemdiabetes.com" || account.PumperId != pumperId)
            {
                return Results.StatusCode(403);
            }

            lock (account.Events)
            {
                var newest = account.Events.Select(e => (string)e["pumpDateTime"]!).DefaultIfEmpty("2020-01-01T00:00:00").Max(StringComparer.Ordinal);
                return Results.Json(new { pumperId, devices = new[] { new { assignmentId = account.AssignmentId, serialNumber = account.Serial, modelNumber = "1004000", maxDateOfEvents = newest } } });
            }
        });

        app.MapGet("/api/reports/bff/pump-logs/{assignmentId}", (string assignmentId, HttpContext http) =>
        {
            if (Authorised(http) is not { } account)
            {
                return Results.StatusCode(401);
            }

            var q = http.Request.Query;
            if (http.Request.Headers.Origin != "https://tconnect.tandemdiabetes.com" || account.AssignmentId != assignmentId || q["pumperId"] != account.PumperId)
            {
                return Results.StatusCode(403);
            }

            var start = DateTime.Parse(q["startDate"].ToString()[..10], CultureInfo.InvariantCulture);
            var end = DateTime.Parse(q["endDate"].ToString()[..10], CultureInfo.InvariantCulture).AddDays(1);
            var ids = q["eventIds"].ToString().Split(',').Select(int.Parse).ToHashSet();
            lock (account.Events)
            {
                var events = account.Events.Where(e => ids.Contains((int)e["eventCode"]!)
                    && DateTime.Parse((string)e["pumpDateTime"]!, CultureInfo.InvariantCulture) is var at && at >= start && at < end).Select(e => e.DeepClone()).ToArray();
                return Results.Text(new JsonObject { ["events"] = new JsonArray(events), ["clockChanges"] = new JsonArray() }.ToJsonString(), "application/json");
            }
        });
    }

    private Account? Authorised(HttpContext http)
    {
        var bearer = http.Request.Headers.Authorization.ToString();
        return bearer.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.TryGetValue(bearer[7..], out var account) ? account : null;
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
