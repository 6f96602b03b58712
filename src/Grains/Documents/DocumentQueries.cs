using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Nocturne.Grains.Documents;

/// <summary>
/// The read side: Nightscout queries translated to SQL over the collection tables. Every query is
/// bound to one site and runs on an index (site + time, site + type + time, site + _id); fields
/// inside documents are compared with Mongo's typing (a number never equals a string).
/// </summary>
public sealed class DocumentQueries(PostgresConnection postgres)
{
    public const int MaxLimit = 100_000;

    /// <summary>How far back a v1 read looks when it names no date (the reference's default find).</summary>
    public static readonly TimeSpan ImplicitWindow = TimeSpan.FromDays(4);

    /// <summary>The column a field maps to, or null when it lives in the document.</summary>
    public static string? ColumnFor(Collection collection, string field) => (collection, field) switch
    {
        (_, "_id") => "object_id",
        (_, "identifier") => "identifier",
        (_, "srvModified") => "srv_modified",
        (_, "srvCreated") => "srv_created",
        (Collection.Entries, "date") => "date_ms",
        (Collection.Entries, "type") => "type",
        (Collection.Treatments, "eventType") => "type",
        (Collection.Profile, "startDate") => "date_ms",
        (Collection.DeviceStatus, "device") => "type",
        (not Collection.Entries and not Collection.Profile, "created_at") => "date_ms",
        _ => null,
    };

    /// <summary>True for the bigint epoch-millisecond columns: a filter on them needs numbers.</summary>
    public static bool IsTimeColumn(string? column) => column is "date_ms" or "srv_modified" or "srv_created";

    /// <summary>The field that holds a collection's own time.</summary>
    public static string DateField(Collection collection) => collection switch
    {
        Collection.Entries => "date",
        Collection.Profile => "startDate",
        _ => "created_at",
    };

    public async Task<List<StoredDocument>> FindAsync(string tenant, DocumentQuery query, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand();
        PrepareFind(tenant, query, command, DocumentStore.ReadColumns);
        return await DocumentStore.ReadAllAsync(command, cancellationToken);
    }

    private static void PrepareFind(string tenant, DocumentQuery query, NpgsqlCommand command, string columns)
    {
        var where = Where(tenant, query, command);
        var order = string.Join(", ", (query.Sort.Count == 0 ? [(DateField(query.Collection), true)] : query.Sort)
            .Select(s => $"{Expression(query.Collection, s.Field, numeric: false)} {(s.Descending ? "DESC" : "ASC")}"));
        command.CommandText = $"SELECT {columns} FROM {CollectionNames.Of(query.Collection)} WHERE {where} ORDER BY {order}, object_id DESC LIMIT @limit OFFSET @skip";
        command.Parameters.AddWithValue("limit", Math.Clamp(query.Limit, 0, MaxLimit));
        command.Parameters.AddWithValue("skip", Math.Max(0, query.Skip));
    }

    /// <summary>
    /// The documents as the v1 JSON array, written straight from PostgreSQL's text of each stored
    /// document (no parse, no document tree: <see cref="StoredTextV1Writer"/>), byte for byte what
    /// <see cref="StoredDocument.ToV1Json"/> (entries: with <see cref="EntryShape.FillType"/>)
    /// serialises to; with the newest document time for Last-Modified (entries: the newest numeric
    /// <c>date</c> field, as the entries API has always taken it; others: the time column).
    /// </summary>
    public async Task<(byte[] Json, long? NewestDate)> FindV1JsonAsync(string tenant, DocumentQuery query, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand();
        // The stored text (doc_text, written with the document: no jsonb output per read) as its
        // UTF-8 bytes, read into one reused buffer, never a string per row.
        PrepareFind(tenant, query, command, "object_id, date_ms, doc_text");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var output = new ArrayBufferWriter<byte>(16 * 1024);
        var isEntry = query.Collection == Collection.Entries;
        long? newest = null;
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            output.Write("["u8);
            var first = true;
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!first)
                {
                    output.Write(","u8);
                }

                first = false;
                var stored = ReadUtf8(reader, 2, ref buffer).Span;
                var objectId = reader.GetString(0);
                if (!StoredTextV1Writer.TryWrite(output, objectId, stored, isEntry, out var entryDate))
                {
                    entryDate = WriteParsed(output, objectId, stored, query.Collection);
                }

                var date = isEntry ? entryDate : reader.GetInt64(1);
                if (date is { } d)
                {
                    newest = newest is { } n ? Math.Max(n, d) : d;
                }
            }

            output.Write("]"u8);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (output.WrittenSpan.ToArray(), newest);
    }

    /// <summary>
    /// A text column's bytes as PostgreSQL sent them (UTF-8, the connection's encoding), copied into
    /// <paramref name="buffer"/> (grown from the pool when too small) without decoding to a string.
    /// </summary>
    internal static ReadOnlyMemory<byte> ReadUtf8(NpgsqlDataReader reader, int ordinal, ref byte[] buffer)
    {
        using var stream = reader.GetStream(ordinal);
        var length = (int)stream.Length;
        if (length > buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(length);
        }

        stream.ReadExactly(buffer, 0, length);
        return buffer.AsMemory(0, length);
    }

    // The parsing way, for the documents StoredTextV1Writer declines; returns an entry's numeric date.
    private static long? WriteParsed(ArrayBufferWriter<byte> output, string objectId, ReadOnlySpan<byte> stored, Collection collection)
    {
        using var doc = JsonDocument.Parse(stored.ToArray());
        using (var writer = new Utf8JsonWriter(output))
        {
            V1Json.Write(writer, objectId, doc.RootElement, collection);
        }

        return collection == Collection.Entries && DocumentTime.TryNumber(System.Text.Json.Nodes.JsonNode.Parse(stored)?["date"], out var date) ? (long?)date : null;
    }

    /// <summary>
    /// The v3 reply <c>{"status":200,"result":[...]}</c> of the documents, written straight from
    /// the stored text (no document tree per row), byte for byte what the envelope of
    /// <see cref="V3Rules.V3Json"/> serialises to; with how many there are and the newest srvModified.
    /// </summary>
    public async Task<(byte[] Json, int Count, long? NewestSrvModified)> FindV3JsonAsync(string tenant, DocumentQuery query, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand();
        PrepareFind(tenant, query, command, "identifier, srv_created, srv_modified, is_valid, doc_text");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var output = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        long? newest = null;
        var count = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            await using (var writer = new Utf8JsonWriter(output))
            {
                writer.WriteStartObject();
                writer.WriteNumber("status", 200);
                writer.WriteStartArray("result");
                while (await reader.ReadAsync(cancellationToken))
                {
                    var modified = reader.GetInt64(2);
                    newest = newest is { } n ? Math.Max(n, modified) : modified;
                    count++;
                    // Parsed from the reused buffer: the document is written out before the next row overwrites it.
                    using var doc = JsonDocument.Parse(ReadUtf8(reader, 4, ref buffer));
                    V3Json.Write(writer, reader.GetString(0), reader.GetInt64(1), modified, reader.GetBoolean(3), doc.RootElement);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (output.WrittenSpan.ToArray(), count, newest);
    }

    public async Task<long> CountAsync(string tenant, DocumentQuery query, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {CollectionNames.Of(query.Collection)} WHERE {Where(tenant, query, command)}";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The object ids matching a query (for DELETE with find), capped at <see cref="MaxLimit"/>.</summary>
    public async Task<List<string>> FindIdsAsync(string tenant, DocumentQuery query, CancellationToken cancellationToken = default) =>
        (await FindAsync(tenant, query with { Limit = MaxLimit }, cancellationToken)).Select(d => d.ObjectId).ToList();

    private static string Where(string tenant, DocumentQuery query, NpgsqlCommand command)
    {
        command.Parameters.AddWithValue("tenant", tenant);
        var clauses = new List<string> { "tenant_id = @tenant" };
        if (!query.IncludeDeleted)
        {
            clauses.Add("is_valid");
        }

        var index = 0;
        foreach (var condition in query.Conditions)
        {
            clauses.Add(Clause(query.Collection, condition, command, ref index));
        }

        return string.Join(" AND ", clauses);
    }

    private static string Clause(Collection collection, FindCondition condition, NpgsqlCommand command, ref int index)
    {
        var column = ColumnFor(collection, condition.Field);
        var name = $"p{index++}";
        if (condition.Op == "exists")
        {
            var exists = condition.Values.Count == 0 || condition.Values[0] is not ("false" or "0");
            var target = column ?? JsonPath(condition.Field);
            return exists ? $"{target} IS NOT NULL" : $"{target} IS NULL";
        }

        if (condition.Op == "regex")
        {
            command.Parameters.AddWithValue(name, condition.Values[0]);
            var op = condition.RegexFlags?.Contains('i', StringComparison.Ordinal) == true ? "~*" : "~";
            var text = column is null ? TextPath(condition.Field) : IsTimeColumn(column) ? $"{column}::text" : column;
            return $"({text}) {op} @{name}";
        }

        var isDateColumn = IsTimeColumn(column);
        var numeric = isDateColumn || (column is null && condition.Kind == FindValueKind.Number);
        if (column is not null)
        {
            // Columns are typed: date_ms bigint, the others text.
            if (isDateColumn)
            {
                var values = condition.Values.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).Select(v => (long)v).ToArray();
                return Compare(column, condition.Op, name, values, NpgsqlDbType.Bigint, command);
            }

            return Compare(column, condition.Op, name, condition.Values.ToArray(), NpgsqlDbType.Text, command);
        }

        if (condition.Op is "eq" or "ne" or "in" or "nin")
        {
            // Equality on the JSON value itself: numbers match numbers, strings strings.
            var jsonValues = condition.Values.Select(v => ToJson(v, condition.Kind)).ToArray();
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = jsonValues });
            var path = JsonPath(condition.Field);
            return condition.Op switch
            {
                "eq" or "in" => $"{path} = ANY(@{name})",
                _ => $"({path} IS NULL OR NOT ({path} = ANY(@{name})))",
            };
        }

        var typed = numeric
            ? $"(CASE WHEN jsonb_typeof({JsonPath(condition.Field)}) = 'number' THEN ({TextPath(condition.Field)})::numeric END)"
            : $"(CASE WHEN jsonb_typeof({JsonPath(condition.Field)}) = 'string' THEN {TextPath(condition.Field)} END)";
        if (numeric)
        {
            command.Parameters.AddWithValue(name, NpgsqlDbType.Numeric, decimal.Parse(condition.Values[0], NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        else
        {
            command.Parameters.AddWithValue(name, condition.Values[0]);
        }

        return $"{typed} {Operator(condition.Op)} @{name}";
    }

    private static string Compare<T>(string column, string op, string name, T[] values, NpgsqlDbType type, NpgsqlCommand command)
    {
        if (op is "in" or "nin")
        {
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values });
            return op == "in" ? $"{column} = ANY(@{name})" : $"({column} IS NULL OR NOT ({column} = ANY(@{name})))";
        }

        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = values[0]! });
        return op == "ne" ? $"({column} IS NULL OR {column} <> @{name})" : $"{column} {Operator(op)} @{name}";
    }

    private static string Operator(string op) => op switch
    {
        "eq" => "=",
        "gt" => ">",
        "gte" => ">=",
        "lt" => "<",
        "lte" => "<=",
        _ => throw new ArgumentException($"Unsupported operator {op}"),
    };

    private static string ToJson(string value, FindValueKind kind) => kind switch
    {
        FindValueKind.Number => decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        FindValueKind.Boolean => value == "true" ? "true" : "false",
        _ => JsonSerializer.Serialize(value),
    };

    private static string Expression(Collection collection, string field, bool numeric) =>
        ColumnFor(collection, field) ?? (numeric ? TextPath(field) : JsonPath(field));

    // Field names become text[] path literals: only [A-Za-z0-9_.-] pass the API's checks; backslashes and quotes are escaped anyway.
    private static string JsonPath(string field) => $"(doc #> '{PathLiteral(field)}')";

    private static string TextPath(string field) => $"(doc #>> '{PathLiteral(field)}')";

    private static string PathLiteral(string field)
    {
        var builder = new StringBuilder("{");
        builder.AppendJoin(',', field.Split('.').Select(p => "\"" + p.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal) + "\""));
        return builder.Append('}').ToString();
    }
}
