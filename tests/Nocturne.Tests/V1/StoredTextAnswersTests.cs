using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Storage;
using Nocturne.Tests.Infrastructure;
using Nocturne.Tests.V3;
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

    [Fact]
    public async Task EveryWritePathLeavesTheStoredTextOfTheDocumentItWrote()
    {
        var (v3, site, secret) = await V3Client.CreateAsync(api);
        var now = DateTimeOffset.UtcNow;
        var odd = OddFields.Replace("LONGTEXT", "short", StringComparison.Ordinal);

        // Each write path in turn, each followed by the same check: every row's stored text is the
        // text of its jsonb now, and the answers sent from it are what parsing the jsonb gives.
        var identifier = Guid.NewGuid().ToString();
        var steps = new (string Name, Func<Task> Write)[]
        {
            ("v1 create", () => PostAsync(site, secret, "treatments", $$"""
                [{"_id": "5f0c1a2b3c4d5e6f70819204", "eventType": "Note", "created_at": "{{now.AddMinutes(-1):O}}", {{odd}} },
                 {"eventType": "Meal Bolus", "created_at": "{{now.AddMinutes(-2):O}}", "carbs": 20}]
                """)),
            ("v1 update (PUT)", () => SendOkAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Put, "/api/v1/treatments", MultiSiteApi.Sha1(secret),
                JsonNode.Parse($$"""{"_id": "5f0c1a2b3c4d5e6f70819204", "eventType": "Note", "created_at": "{{now.AddMinutes(-1):O}}", "notes": "replaced é <b>", "x": 1.50}""")))),
            ("v1 entries re-upload (merged in place)", async () =>
            {
                await PostAsync(site, secret, "entries", $$"""[{"type": "sgv", "sgv": 120, "date": {{now.AddMinutes(-3).ToUnixTimeMilliseconds()}}, "device": "a"}]""");
                await PostAsync(site, secret, "entries", $$"""[{"type": "sgv", "sgv": 120, "date": {{now.AddMinutes(-3).ToUnixTimeMilliseconds()}}, "device": "a", "noise": 1, "text": "ü"}]""");
            }),
            ("v3 create", () => V3OkAsync(v3, HttpMethod.Post, "/treatments", $$"""
                {"identifier": "{{identifier}}", "date": {{now.AddMinutes(-4).ToUnixTimeMilliseconds()}}, "app": "AAPS", "device": "d", "eventType": "Correction Bolus", "insulin": 1.5, "utcOffset": 0}
                """)),
            ("v3 update (PUT)", () => V3OkAsync(v3, HttpMethod.Put, $"/treatments/{identifier}", $$"""
                {"date": {{now.AddMinutes(-4).ToUnixTimeMilliseconds()}}, "app": "AAPS", "device": "d", "eventType": "Correction Bolus", "insulin": 2.0, "utcOffset": 0, "notes": "put"}
                """)),
            ("v3 PATCH", () => V3OkAsync(v3, HttpMethod.Patch, $"/treatments/{identifier}", """{"insulin": 2.25, "notes": "patched \u2028 é"}""")),
            ("v3 soft delete", () => V3OkAsync(v3, HttpMethod.Delete, $"/treatments/{identifier}", null)),
            ("v1 delete", () => SendOkAsync(MultiSiteApi.SiteRequest(site, HttpMethod.Delete, "/api/v1/treatments/5f0c1a2b3c4d5e6f70819204", MultiSiteApi.Sha1(secret)))),
        };

        foreach (var (name, write) in steps)
        {
            await write();
            await using var connection = new NpgsqlConnection(api.Factory.Postgres);
            await connection.OpenAsync();
            foreach (var collection in new[] { Collection.Treatments, Collection.Entries })
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT count(*), count(*) FILTER (WHERE doc_text IS DISTINCT FROM doc::text) FROM {CollectionNames.Of(collection)} WHERE tenant_id = @t", connection);
                command.Parameters.AddWithValue("t", site);
                await using var reader = await command.ExecuteReaderAsync();
                await reader.ReadAsync();
                Assert.True(collection != Collection.Treatments || reader.GetInt64(0) > 0, $"{name}: no {collection} rows");
                Assert.True(reader.GetInt64(1) == 0, $"{name}: {reader.GetInt64(1)} {collection} rows whose stored text is not their document's");
            }

            Assert.Equal(await ParsedAndWrittenAsync(site, Collection.Treatments), await GetAsync(site, secret, "/api/v1/treatments.json?count=100"));
            var (status, history, _) = await v3.SendAsync(HttpMethod.Get, "/treatments/history/0");
            Assert.Equal(200, status);
            Assert.Equal(await V3ParsedAndWrittenAsync(api.Factory.Postgres, site), history.GetProperty("result").GetRawText());
        }
    }

    [Fact]
    public async Task DocumentsStoredBeforeTheMigrationAreAnsweredAsBefore()
    {
        // A database at the schema before the stored text, holding documents.
        var database = await TestServices.CreateEmptyDatabaseAsync("storedtext");
        var migration = SchemaScripts.All.Single(m => m.Name.EndsWith("_document_text", StringComparison.Ordinal));
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using (var history = new NpgsqlCommand("CREATE TABLE nocturne_schema_history (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", connection))
            {
                await history.ExecuteNonQueryAsync();
            }

            foreach (var script in SchemaScripts.All.Where(m => m.Version < migration.Version))
            {
                await using (var command = new NpgsqlCommand(script.Sql, connection))
                {
                    await command.ExecuteNonQueryAsync();
                }

                await using var applied = new NpgsqlCommand("INSERT INTO nocturne_schema_history (version, name) VALUES (@v, @n)", connection);
                applied.Parameters.AddWithValue("v", script.Version);
                applied.Parameters.AddWithValue("n", script.Name);
                await applied.ExecuteNonQueryAsync();
            }

            var odd = OddFields.Replace("LONGTEXT", new string('y', 3000), StringComparison.Ordinal);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO tenants (id, display_name, secret_salt, jwt_key, settings) VALUES ('old', 'old', '\x00', '\x00', '{}');
                INSERT INTO treatments (tenant_id, identifier, object_id, date_ms, type, srv_created, srv_modified, doc) VALUES
                    ('old', '5f0c1a2b3c4d5e6f70819205', '5f0c1a2b3c4d5e6f70819205', 3000, 'Note', 1, 1, @odd::jsonb),
                    ('old', 'b3e1c0de-0000-4000-8000-000000000001', '5f0c1a2b3c4d5e6f70819206', 2000, 'Meal Bolus', 2, 2, @plain::jsonb);
                """, connection);
            insert.Parameters.AddWithValue("odd", $$"""{"eventType": "Note", "created_at": "1970-01-01T00:00:03.000Z", {{odd}} }""");
            insert.Parameters.AddWithValue("plain", """{"eventType": "Meal Bolus", "created_at": "1970-01-01T00:00:02.000Z", "carbs": 1e1, "identifier": "b3e1c0de-0000-4000-8000-000000000001"}""");
            await insert.ExecuteNonQueryAsync();
        }

        var query = new DocumentQuery(Collection.Treatments, [], 10, []);
        var expected = await ParsedAndWrittenAsync(database, "old", Collection.Treatments);
        var expectedV3 = await V3ParsedAndWrittenAsync(database, "old");

        Assert.Equal([migration.Version], await new SchemaMigrator(database).MigrateAsync());
        await using var postgres = new PostgresConnection(database);
        var queries = new DocumentQueries(postgres);
        Assert.Equal(expected, Encoding.UTF8.GetString((await queries.FindV1JsonAsync("old", query)).Json));
        var (v3Json, count, _) = await queries.FindV3JsonAsync("old", query with { Sort = [("srvModified", false)] });
        Assert.Equal(2, count);
        Assert.Equal(expectedV3, JsonDocument.Parse(v3Json).RootElement.GetProperty("result").GetRawText());
        Assert.Equal(expected, new JsonArray((await queries.FindAsync("old", query)).Select(d => (JsonNode)d.ToV1Json()).ToArray()).ToJsonString());
    }

    // What the v3 reads answered before: each stored jsonb parsed by Npgsql and written with V3Json, in srvModified order.
    private static async Task<string> V3ParsedAndWrittenAsync(string database, string site)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT identifier, srv_created, srv_modified, is_valid, doc FROM treatments WHERE tenant_id = @t ORDER BY srv_modified, object_id DESC", connection);
        command.Parameters.AddWithValue("t", site);
        await using var reader = await command.ExecuteReaderAsync();
        var output = new ArrayBufferWriter<byte>();
        await using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartArray();
            while (await reader.ReadAsync())
            {
                using var doc = reader.GetFieldValue<JsonDocument>(4);
                V3Json.Write(writer, reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetBoolean(3), doc.RootElement);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static async Task V3OkAsync(V3Client client, HttpMethod method, string path, string? body)
    {
        var (status, answer, _) = await client.SendAsync(method, path, body);
        Assert.True(status is 200 or 201, $"{method} {path}: {status} {answer}");
    }

    private async Task SendOkAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await api.Client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    // What the lists answered before: each stored document parsed (StoredDocument.ToV1Json, entries with a type filled in) and serialised, in the find's order.
    private Task<string> ParsedAndWrittenAsync(string site, Collection collection) => ParsedAndWrittenAsync(api.Factory.Postgres, site, collection);

    private static async Task<string> ParsedAndWrittenAsync(string database, string site, Collection collection)
    {
        await using var connection = new NpgsqlConnection(database);
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
