using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.FakeVendors;

/// <summary>
/// The least of a Nightscout server the Nightscout connector reads in v3 mode, for the benchmark
/// (the tests use a second instance of our own server): an access token exchanged for a JWT, and
/// <c>history/{lastModified}</c> per collection in srvModified order, each access token with its own readings.
/// </summary>
public sealed class FakeNightscout : FakeVendorServer
{
    public ConcurrentDictionary<string, List<FakeReading>> Readings { get; } = new(StringComparer.Ordinal);

    protected override void Map(WebApplication app)
    {
        app.MapGet("/api/v2/authorization/request/{token}", (string token) => Readings.ContainsKey(token)
            ? Results.Json(new { token = $"jwt.{token}", exp = DateTimeOffset.UtcNow.AddHours(8).ToUnixTimeSeconds() })
            : Results.Json(new { status = 401, message = "Unauthorized" }, statusCode: 401));

        app.MapGet("/api/v3/{collection}/history/{lastModified}", (string collection, string lastModified, int? limit, HttpContext http) =>
        {
            var bearer = http.Request.Headers.Authorization.ToString();
            if (!bearer.StartsWith("Bearer jwt.", StringComparison.Ordinal) || !Readings.TryGetValue(bearer["Bearer jwt.".Length..], out var readings))
            {
                return Results.Json(new { status = 401 }, statusCode: 401);
            }

            var after = long.Parse(lastModified, CultureInfo.InvariantCulture);
            var result = new JsonArray();
            if (collection == "entries")
            {
                foreach (var r in readings.Where(r => r.Ms > after).OrderBy(r => r.Ms).Take(limit ?? 1000))
                {
                    result.Add(new JsonObject
                    {
                        ["identifier"] = $"{r.Ms:x24}", ["type"] = "sgv", ["sgv"] = r.Mgdl, ["date"] = r.Ms, ["direction"] = "Flat",
                        ["device"] = "fake-nightscout", ["srvModified"] = r.Ms, ["srvCreated"] = r.Ms,
                    });
                }
            }

            return Results.Json(new JsonObject { ["status"] = 200, ["result"] = result });
        });
    }
}
