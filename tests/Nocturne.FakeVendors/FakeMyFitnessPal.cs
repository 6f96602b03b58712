using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.FakeVendors;

/// <summary>
/// MyFitnessPal as docs/connectors/myfitnesspal.md describes it: the mobile client's password
/// grant at <c>/v2/oauth2/token</c>, and <c>/v2/diary?entry_date=...</c> with the bearer token and
/// the <c>mfp-client-id</c> and <c>mfp-user-id</c> headers, answering the day's food entries.
/// </summary>
public sealed class FakeMyFitnessPal : FakeVendorServer
{
    private readonly ConcurrentDictionary<string, Account> _tokens = new();

    public sealed class Account(string username, string password)
    {
        public string Username { get; } = username;

        public string Password { get; } = password;

        public string UserId { get; } = Guid.NewGuid().ToString("N")[..12];

        /// <summary>Food entries by diary day (yyyy-MM-dd).</summary>
        public ConcurrentDictionary<string, List<JsonObject>> Diary { get; } = new();

        public int Logins { get; set; }

        public int FailedLogins { get; set; }

        public HashSet<string> DaysRead { get; } = [];
    }

    public ConcurrentDictionary<string, Account> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Account AddAccount(string username, string password) => Accounts[username] = new Account(username, password);

    public void ExpireTokens() => _tokens.Clear();

    public static JsonObject Food(string meal, string description, double carbs, double fat, double protein, double energy, string unit = "calories") => new()
    {
        ["type"] = "food_entry",
        ["id"] = Guid.NewGuid().ToString("N"),
        ["meal_name"] = meal,
        ["servings"] = 1,
        ["food"] = new JsonObject { ["description"] = description, ["brand_name"] = null },
        ["nutritional_contents"] = new JsonObject
        {
            ["energy"] = new JsonObject { ["unit"] = unit, ["value"] = energy },
            ["carbohydrates"] = carbs,
            ["fat"] = fat,
            ["protein"] = protein,
            ["fiber"] = 1.0,
        },
    };

    protected override void Map(WebApplication app)
    {
        app.MapPost("/v2/oauth2/token", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            Accounts.TryGetValue(form["username"].ToString(), out var account);
            if (form["grant_type"] != "password" || form["client_id"] != "mfp-mobile-android-google" || account is null || account.Password != form["password"])
            {
                if (account is not null)
                {
                    account.FailedLogins++;
                }

                return Results.Json(new { error = "invalid_grant" }, statusCode: 401);
            }

            account.Logins++;
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
            _tokens[token] = account;
            return Results.Json(new { access_token = token, refresh_token = "r", token_type = "Bearer", expires_in = 2_592_000, user_id = account.UserId });
        });

        app.MapGet("/v2/diary", (HttpContext http) =>
        {
            var bearer = http.Request.Headers.Authorization.ToString();
            if (!bearer.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(bearer[7..], out var account))
            {
                return Results.Json(new { error = "unauthorized" }, statusCode: 401);
            }

            if (http.Request.Headers["mfp-client-id"] != "mfp-mobile-android-google" || http.Request.Headers["mfp-user-id"] != account.UserId)
            {
                return Results.Json(new { error = "forbidden" }, statusCode: 403);
            }

            var day = http.Request.Query["entry_date"].ToString();
            lock (account.DaysRead)
            {
                account.DaysRead.Add(day);
            }

            var items = account.Diary.GetOrAdd(day, _ => []);
            lock (items)
            {
                return Results.Text(new JsonObject { ["items"] = new JsonArray([.. items.Select(i => { var c = (JsonObject)i.DeepClone(); c["date"] = day; return (JsonNode)c; })]) }.ToJsonString(), "application/json");
            }
        });
    }
}
