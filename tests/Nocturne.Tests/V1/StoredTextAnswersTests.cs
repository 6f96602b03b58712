using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Tests.Infrastructure;
using Npgsql;

namespace Nocturne.Tests.V1;

/// <summary>
/// v1 lists and finds read from PostgreSQL are written from the stored text of each document
/// without parsing it; the answer must stay byte for byte what parsing the stored document and
/// serialising it gives (the way they were answered before): odd numbers, escapes, non-ASCII
/// text, nesting, nulls and an entry without a type included.
/// </summary>
public sealed class StoredTextAnswersTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    // Fields a client may send anywhere: numbers in every form, text the writer escapes, nesting, nulls.
    private const string OddFields = """
        "whole": 1.0, "exponent": 1e3, "small": 1E-7, "negative": -0.0, "big": 123456789012345678901234567890, "fraction": 0.1,
        "text": "a<b>&'+`\"\\/ \n\t\r\b\f \u0001\u001f\u007f end", "unicode": "é € 😀 \u2028 ü 日本",
        "nested": {"a": [1, 2.50, {"b": null, "c": [[], {}]}], "empty": {}, "list": [true, false, null, "x"]},
        "nothing": null, "é<key>": "named oddly", "with space": " padded ", "notes": "line1\nline2", "long": "LONGTEXT"
        """;

    [Fact]
    public async Task FindAnswersAreTheStoredDocumentsParsedAndWrittenByteForByte()
    {
        var (site, secret) = await api.CreateSiteAsync("storedtext");
        var now = DateTimeOffset.UtcNow;
        string At(int minutes) => now.AddMinutes(-minutes).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        long Ms(int minutes) => now.AddMinutes(-minutes).ToUnixTimeMilliseconds();
        var odd = OddFields.Replace("LONGTEXT", new string('x', 3000), StringComparison.Ordinal);

        await PostAsync(site, secret, "treatments", $$"""
            [{"eventType": "Meal Bolus", "insulin": 2.5, "carbs": 30, "created_at": "{{At(5)}}", "enteredBy": "pump"},
             {"eventType": "Note", "created_at": "{{At(10)}}", {{odd}} },
             {"eventType": "Temp Basal", "created_at": "{{At(10)}}", "duration": 30, "absolute": 0.85, "rate": 0.85},
             {"_id": "5f0c1a2b3c4d5e6f70819203", "eventType": "Site Change", "created_at": "{{At(20)}}", "notes": "ünïcode ✓"}]
            """);
        await PostAsync(site, secret, "entries", $$"""
            [{"type": "sgv", "sgv": 120, "date": {{Ms(1)}}, "dateString": "{{At(1)}}", "direction": "Flat", "device": "xDrip"},
             {"sgv": 118, "date": {{Ms(6)}}, "device": "no type"},
             {"mbg": 99.5, "date": {{Ms(7)}}, "device": "meter without a type"},
             {"date": {{Ms(8)}}, "slope": 1.02, "intercept": 3e4, "device": "calibration without a type"},
             {"type": "sgv", "sgv": 101, "date": {{Ms(11)}}, {{odd}} }]
            """);
        await PostAsync(site, secret, "devicestatus", $$"""
            [{"device": "openaps://rig", "created_at": "{{At(2)}}", "openaps": {"iob": {"iob": 1.25, "time": "{{At(2)}}"}, "suggested": {"reason": "COB: 0, Dev: -5 <= 10"} } },
             {"device": "phone", "created_at": "{{At(3)}}", {{odd}} }]
            """);
        await PostAsync(site, secret, "food", """
            [{"type": "food", "name": "Crème brûlée", "carbs": 33.0, "portion": 1e2, "unit": "g", "gi": 2},
             {"type": "quickpick", "name": "Snack <b>", "hidden": "false", "position": 1, "foods": [{"name": "apple", "carbs": 15}]}]
            """);
        await PostAsync(site, secret, "activity", $$"""
            [{"created_at": "{{At(30)}}", "steps": 1200, "heartRate": 71.0, {{odd}} }]
            """);
        await PostAsync(site, secret, "profile", $$"""
            [{"defaultProfile": "Défaut", "startDate": "{{At(60)}}", "units": "mg/dl",
              "store": {"Défaut": {"dia": 3.0, "carbratio": [{"time": "00:00", "value": 10}], "sens": [{"time": "00:00", "value": 5e1}], "basal": [{"time": "00:00", "value": 0.125}], "target_low": [], "target_high": [], "timezone": "Europe/Zürich"} } }]
            """);

        var since = Ms(60 * 24).ToString(CultureInfo.InvariantCulture);
        foreach (var (collection, path) in new[]
        {
            (Collection.Treatments, "/api/v1/treatments.json?count=100"),
            (Collection.Treatments, $"/api/v1/treatments.json?find[created_at][$gte]={At(60)}"),
            (Collection.DeviceStatus, "/api/v1/devicestatus.json?count=10"),
            (Collection.Food, "/api/v1/food.json"),
            (Collection.Activity, "/api/v1/activity.json"),
            (Collection.Profile, "/api/v1/profile.json"),
            // With a find the entries come from PostgreSQL, not the window.
            (Collection.Entries, $"/api/v1/entries.json?count=10&find[date][$gte]={since}"),
        })
        {
            var expected = await ParsedAndWrittenAsync(site, collection);
            Assert.Equal(expected, await GetAsync(site, secret, path));
        }

        // The food and profile lists of their own routes: the same documents, filtered.
        var food = JsonNode.Parse(await GetAsync(site, secret, "/api/v1/food.json"))!.AsArray();
        foreach (var (type, path) in new[] { ("food", "/api/v1/food/regular"), ("quickpick", "/api/v1/food/quickpicks") })
        {
            var expected = new JsonArray(food.Where(f => f!["type"]!.GetValue<string>() == type).Select(f => f!.DeepClone()).ToArray());
            Assert.Equal(expected.ToJsonString(), await GetAsync(site, secret, path));
        }

        Assert.Equal(await ParsedAndWrittenAsync(site, Collection.Profile), await GetAsync(site, secret, "/api/v1/profiles"));

        // The entries by _id, also read from PostgreSQL.
        var some = JsonNode.Parse(await GetAsync(site, secret, $"/api/v1/entries.json?count=10&find[date][$gte]={since}"))!.AsArray();
        foreach (var entry in some)
        {
            var id = entry!["_id"]!.GetValue<string>();
            var byId = await GetAsync(site, secret, $"/api/v1/entries/{id}.json");
            Assert.Equal($"[{entry.ToJsonString()}]", byId);
        }
    }

    [Fact]
    public async Task TheStoredTextIsWrittenWithoutAParseAsTheParsingWayWritesIt()
    {
        var (site, secret) = await api.CreateSiteAsync("storedtext2");
        var now = DateTimeOffset.UtcNow;
        var odd = OddFields.Replace("LONGTEXT", "short", StringComparison.Ordinal);
        await PostAsync(site, secret, "treatments", $$"""
            [{"eventType": "Note", "created_at": "{{now:O}}", {{odd}} }, {"eventType": "Note", "created_at": "{{now.AddMinutes(-1):O}}", "notes": "plain"}, {"created_at": "{{now.AddMinutes(-2):O}}"}]
            """);

        // Every character the writer treats one way or another, in a value and in a name.
        var characters = string.Concat(Enumerable.Range(1, 0x7F).Select(c => (char)c)) + "é€😀\u2028\uFFFD";
        await PostAsync(site, secret, "treatments", new JsonArray(new JsonObject
        {
            ["eventType"] = "Note", ["created_at"] = now.AddMinutes(-3).ToString("O"), ["notes"] = characters, [characters] = 1,
        }).ToJsonString());

        await using var connection = new NpgsqlConnection(api.Factory.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT object_id, doc::text FROM treatments WHERE tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", site);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            var (objectId, stored) = (reader.GetString(0), Encoding.UTF8.GetBytes(reader.GetString(1)));
            var fast = new ArrayBufferWriter<byte>();
            Assert.True(StoredTextV1Writer.TryWrite(fast, objectId, stored, isEntry: false, out _), $"declined: {reader.GetString(1)}");

            var parsed = new ArrayBufferWriter<byte>();
            using (var doc = JsonDocument.Parse(stored))
            using (var writer = new Utf8JsonWriter(parsed))
            {
                V1Json.Write(writer, objectId, doc.RootElement, Collection.Treatments);
            }

            Assert.Equal(Encoding.UTF8.GetString(parsed.WrittenSpan), Encoding.UTF8.GetString(fast.WrittenSpan));
        }

        Assert.Equal(4, rows);
    }

    // What the lists answered before: each stored document parsed (StoredDocument.ToV1Json, entries with a type filled in) and serialised, in the find's order.
    private async Task<string> ParsedAndWrittenAsync(string site, Collection collection)
    {
        await using var connection = new NpgsqlConnection(api.Factory.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT object_id, doc::text FROM {CollectionNames.Of(collection)} WHERE tenant_id = @t AND is_valid ORDER BY date_ms DESC, object_id DESC", connection);
        command.Parameters.AddWithValue("t", site);
        await using var reader = await command.ExecuteReaderAsync();
        var array = new JsonArray();
        while (await reader.ReadAsync())
        {
            var stored = new StoredDocument(reader.GetString(0), reader.GetString(0), 0, null, 0, 0, true, (JsonObject)JsonNode.Parse(reader.GetString(1))!);
            var json = stored.ToV1Json();
            array.Add(collection == Collection.Entries ? EntryShape.FillType(json) : json);
        }

        Assert.NotEmpty(array);
        return array.ToJsonString();
    }

    private async Task PostAsync(string site, string secret, string collection, string json)
    {
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, $"/api/v1/{collection}", MultiSiteApi.Sha1(secret));
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await api.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {collection}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<string> GetAsync(string site, string secret, string path)
    {
        using var response = await api.Client.SendAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Get, path, MultiSiteApi.Sha1(secret)));
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
