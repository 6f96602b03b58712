using System.Globalization;
using System.Text;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;
using Nocturne.Tests.V3;

namespace Nocturne.Tests.Robustness;

/// <summary>
/// A seeded generator of hostile bodies and queries over every write route and query operator:
/// no answer may be a 5xx, and a refused write or delete leaves the site's rows as they were.
/// The seed is fixed so that a failure replays; <c>NOCTURNE_FUZZ_CASES</c> and <c>NOCTURNE_FUZZ_SEED</c>
/// run more or other cases (bench).
/// </summary>
public sealed class InputFuzzTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private const int Seed = 1111;

    private static readonly string[] ValueAtoms =
    [
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udfff\"", "\"\\ud83d\\ude00\"", "1e400", "1e1000000", "-1e400",
        "99999999999999999999999999999999", "1e300", "-1e300", "0", "-1", "1.5", "120", "true", "false", "null", "[]", "{}",
        "\"2026-01-01T00:00:00Z\"", "\"0001-01-01T00:00:00+14:00\"", "\"9999-12-31T23:59:59Z\"", "\"abc\"", "\"\"", "\"<b>x</b>\"",
        "\"\\\\\"", "\"'\"", "\"NaN\"", "\"Infinity\"", "\"1e400\"", "[1,[2,[3]]]", "{\"a\":{\"b\":[null]}}", "\"Meal Bolus\"", "\"sgv\"",
        "8.64e15", "-8.64e15", "946684799999", "\"" + new string('x', 300) + "\"",
    ];

    private static readonly string[] FieldAtoms =
    [
        "date", "dateString", "sgv", "mbg", "type", "eventType", "created_at", "eventTime", "insulin", "carbs", "glucose", "duration",
        "preBolus", "device", "startDate", "defaultProfile", "store", "identifier", "_id", "app", "utcOffset", "notes", "enteredBy",
        "direction", "durationInMilliseconds", "name", "a\\u0000", "\\ud800", "", "$where", "a.b", "srvModified", "isValid", "secret", "token",
    ];

    private static readonly string[] QueryAtoms =
    [
        "%00", "a%00", "1e400", "NaN", "Infinity", "-Infinity", "-1e300", "99999999999999999999999999999999", "abc", "/a(/i", "(%3F>a)",
        "a%7B1,1000%7D", "%5Cp%7BL%7D", "(%3F<n>a)%5Ck<n>", "a(%3Fi)b", "%ED%A0%80", "%FF", "2026-01-01", "", "1|1e400", "'quoted'",
        "true", "120", "1e300", "0001-01-01T00:00:00Z", "%5C", "a'b", "a%22b", "(", "%5B", "-1", "8.64e15",
    ];

    private static readonly string[] Collections = ["entries", "treatments", "devicestatus", "profile", "food", "activity"];
    private static readonly string[] V3Collections = ["entries", "treatments", "devicestatus", "profile", "food", "settings"];
    private static readonly string[] V1Ops = ["", "[$eq]", "[$ne]", "[$gt]", "[$gte]", "[$lt]", "[$lte]", "[$in]", "[$nin]", "[$exists]", "[$regex]", "[$in][]"];
    private static readonly string[] V3Ops = ["", "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$re"];
    private static readonly string[] QueryFields = ["date", "sgv", "type", "eventType", "notes", "created_at", "insulin", "device", "srvModified", "identifier", "_id", "a.b", "dateString", "startDate"];

    [Fact]
    public async Task NoHostileBodyOrQueryGetsA5xxAndNoRefusalStoresAnything()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("NOCTURNE_FUZZ_CASES"), CultureInfo.InvariantCulture, out var n) ? n : 2500;
        var (_, site, secret) = await V3Client.CreateAsync(api);
        var jwt = await api.JwtAsync(site, await api.CreateSubjectAsync(site, secret, "fuzzer", "admin"));
        var random = new Random(int.TryParse(Environment.GetEnvironmentVariable("NOCTURNE_FUZZ_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Seed);
        var failures = new List<string>();
        var rows = await SiteRows.CountAsync(site);
        for (var i = 0; i < cases && failures.Count < 10; i++)
        {
            var (method, path, body, v3) = random.Next(2) == 0 ? Write(random) : Query(random);

            // Now and then without credentials, so that credentials inside the body are looked for too.
            var anonymous = random.Next(8) == 0;
            int status;
            string text;
            try
            {
                (status, text, _) = await RawRequests.SendAsync(api, site, method, path, body, v3 || anonymous ? null : secret, v3 && !anonymous ? jwt : null);
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException($"case {i}: {method} {path}", ex);
            }

            var describe = $"case {i}: {method} {path} {(body is null ? "" : Encoding.UTF8.GetString(body))} -> {status} {text[..Math.Min(text.Length, 300)]}";
            if (status >= 500)
            {
                failures.Add(describe);
                continue;
            }

            if (status >= 400 && !IsNightscoutError(text, status))
            {
                failures.Add("not in the Nightscout error shape: " + describe);
            }

            if (method == HttpMethod.Get)
            {
                continue;
            }

            var now = await SiteRows.CountAsync(site);
            if (status >= 400 && now != rows)
            {
                failures.Add($"rows {rows} -> {now} after a refusal: {describe}");
            }

            rows = now;
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static bool IsNightscoutError(string text, int status)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("status", out var s) && s.GetInt32() == status;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static (HttpMethod, string, byte[]?, bool) Write(Random random)
    {
        var v3 = random.Next(3) == 0;
        HttpMethod method;
        string path;
        if (v3)
        {
            var collection = Pick(random, V3Collections);
            (method, path) = random.Next(3) switch
            {
                0 => (HttpMethod.Put, $"/api/v3/{collection}/{Guid.NewGuid()}"),
                1 => (HttpMethod.Patch, $"/api/v3/{collection}/{Guid.NewGuid()}"),
                _ => (HttpMethod.Post, $"/api/v3/{collection}"),
            };
        }
        else
        {
            var prefix = random.Next(2) == 0 ? "/api/v1" : "/api/v2";
            var collection = Pick(random, Collections);
            method = random.Next(4) == 0 && collection != "entries" && collection != "devicestatus" ? HttpMethod.Put : HttpMethod.Post;
            path = $"{prefix}/{collection}{(random.Next(6) == 0 ? ".json" : "")}";
        }

        var json = random.Next(10) switch
        {
            0 => Pick(random, ValueAtoms),
            1 or 2 => "[" + string.Join(",", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Document(random))) + "]",
            _ => Document(random),
        };
        var bytes = Encoding.UTF8.GetBytes(json);
        if (random.Next(15) == 0 && bytes.Length > 2)
        {
            bytes[random.Next(1, bytes.Length - 1)] = (byte)Pick(random, new[] { 0xFF, 0xC0, 0x80, 0xED });
        }

        return (method, path, bytes, v3);
    }

    // Mostly a plausible document with a few hostile fields, so that validation gets past its first check.
    private static string Document(Random random)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-random.Next(1, 600));
        var fields = new Dictionary<string, string>
        {
            ["date"] = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["created_at"] = $"\"{now:O}\"",
            ["app"] = "\"fuzz\"",
            ["type"] = "\"sgv\"",
            ["sgv"] = random.Next(40, 400).ToString(CultureInfo.InvariantCulture),
            ["eventType"] = "\"Note\"",
        };
        foreach (var key in fields.Keys.ToList())
        {
            if (random.Next(3) == 0)
            {
                fields.Remove(key);
            }
        }

        for (var i = random.Next(1, 4); i > 0; i--)
        {
            fields[Pick(random, FieldAtoms)] = random.Next(5) == 0 ? "{" + $"\"{Pick(random, FieldAtoms)}\":{Pick(random, ValueAtoms)}" + "}" : Pick(random, ValueAtoms);
        }

        return "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    private static (HttpMethod, string, byte[]?, bool) Query(Random random)
    {
        var value = Pick(random, QueryAtoms);
        switch (random.Next(6))
        {
            case 0 or 1:
            {
                var collection = Pick(random, Collections);
                var query = $"find[{Pick(random, QueryFields)}]{Pick(random, V1Ops)}={value}";
                if (random.Next(3) == 0)
                {
                    query += $"&find[{Pick(random, QueryFields)}]{Pick(random, V1Ops)}={Pick(random, QueryAtoms)}";
                }

                var method = random.Next(5) == 0 ? HttpMethod.Delete : HttpMethod.Get;
                if (random.Next(4) == 0)
                {
                    query += $"&count={Pick(random, QueryAtoms)}";
                }

                return (method, $"/api/v1/{collection}{(method == HttpMethod.Get && random.Next(2) == 0 ? ".json" : "")}?{query}", null, false);
            }

            case 2:
                return (HttpMethod.Get, $"/api/v1/count/{Pick(random, Collections)}/where?find[{Pick(random, QueryFields)}]{Pick(random, V1Ops)}={value}", null, false);
            case 3:
                // The test host refuses a NUL in the path before the server sees it (Kestrel answers 400).
                value = value.Replace("%00", "", StringComparison.Ordinal);
                return (HttpMethod.Get, random.Next(3) switch
                {
                    0 => $"/api/v1/entries/{value}",
                    1 => $"/api/v2/ddata/at/{value}",
                    _ => $"/api/v1/times/{value}/{Pick(random, QueryAtoms).Replace("%00", "", StringComparison.Ordinal)}",
                }, null, false);
            default:
            {
                var collection = Pick(random, V3Collections);
                var query = random.Next(6) switch
                {
                    0 => $"sort={value}",
                    1 => $"sort$desc={value}&limit={Pick(random, QueryAtoms)}",
                    2 => $"fields={value}&skip={Pick(random, QueryAtoms)}",
                    _ => $"{Pick(random, QueryFields)}{Pick(random, V3Ops)}={value}",
                };
                var segment = value.Replace("%00", "", StringComparison.Ordinal);
                return random.Next(8) == 0
                    ? (HttpMethod.Get, $"/api/v3/{collection}/history/{segment}", null, true)
                    : random.Next(8) == 0
                        ? (HttpMethod.Delete, $"/api/v3/{collection}/{segment}", null, true)
                        : (HttpMethod.Get, $"/api/v3/{collection}?{query}", null, true);
            }
        }
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
