using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Storage;
using Npgsql;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Writes of the collection tables. Only a site's <see cref="Tenants.PatientGrain"/> calls these
/// for its site, so a batch's dedup lookups and writes never race another writer.
/// </summary>
public sealed class DocumentStore(PostgresConnection postgres, DocumentCommitQueue commits)
{
    internal const string Columns = "identifier, object_id, date_ms, type, srv_created, srv_modified, is_valid, doc";

    // What reads select: the same columns with the document as its stored text (doc_text, kept by
    // PostgreSQL from doc on every write), so that no read makes PostgreSQL turn jsonb into text.
    internal const string ReadColumns = "identifier, object_id, date_ms, type, srv_created, srv_modified, is_valid, doc_text";

    /// <summary>Existing documents that a batch could collide with: same identifier, object id, or time.</summary>
    public async Task<List<StoredDocument>> FindCandidatesAsync(Collection collection, string tenant, IEnumerable<string> identifiers,
        IEnumerable<string> objectIds, IEnumerable<long> dates, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT {ReadColumns} FROM {CollectionNames.Of(collection)}
            WHERE tenant_id = @t AND (identifier = ANY(@identifiers) OR object_id = ANY(@objectIds) OR date_ms = ANY(@dates))
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("identifiers", identifiers.Distinct().ToArray());
        command.Parameters.AddWithValue("objectIds", objectIds.Distinct().ToArray());
        command.Parameters.AddWithValue("dates", dates.Distinct().ToArray());
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <summary>
    /// Inserts and updates in one statement, committed with other sites' writes (group commit):
    /// all of them are durable when this completes, or none.
    /// </summary>
    public Task SaveAsync(Collection collection, string tenant, IReadOnlyList<StoredDocument> inserts, IReadOnlyList<StoredDocument> updates,
        IReadOnlyList<string>? texts = null) =>
        commits.WriteAsync(collection, tenant, [.. inserts, .. updates], texts);

    /// <summary>
    /// The document a v3 write addresses: by identifier; by a 24-hex identifier as the _id of a v1
    /// document; or, when given, by the collection's fallback key among documents that came without
    /// an identifier. An exact identifier match wins.
    /// </summary>
    public async Task<StoredDocument?> FindForV3Async(Collection collection, string tenant, string identifier, (string Sql, object[] Values)? fallback,
        CancellationToken cancellationToken = default)
    {
        var clauses = new List<string> { "identifier = @id" };
        if (ObjectIds.IsValid(identifier))
        {
            clauses.Add("(object_id = @oid AND doc->'identifier' IS NULL)");
        }

        if (fallback is { } key)
        {
            // Only documents that never had an identifier (v1 writes without one keep their _id
            // there): a document another client created with an identifier is never taken over.
            clauses.Add($"({key.Sql} AND identifier = object_id AND doc->'identifier' IS NULL)");
        }

        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT {ReadColumns} FROM {CollectionNames.Of(collection)}
            WHERE tenant_id = @t AND ({string.Join(" OR ", clauses)})
            ORDER BY (identifier = @id) DESC, is_valid DESC, srv_modified DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("id", identifier);
        command.Parameters.AddWithValue("oid", identifier.ToLowerInvariant());
        if (fallback is { } values)
        {
            for (var i = 0; i < values.Values.Length; i++)
            {
                command.Parameters.AddWithValue($"k{i}", values.Values[i]);
            }
        }

        return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>Writes one document (insert or full update by identifier); a replaced identifier is removed in the same transaction.</summary>
    public async Task WriteOneAsync(Collection collection, string tenant, StoredDocument row, string? replacedIdentifier, CancellationToken cancellationToken = default)
    {
        if (replacedIdentifier is null || replacedIdentifier == row.Identifier)
        {
            await commits.WriteAsync(collection, tenant, [row]);
            return;
        }

        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand($"DELETE FROM {CollectionNames.Of(collection)} WHERE tenant_id = @t AND identifier = @i", connection, transaction))
        {
            delete.Parameters.AddWithValue("t", tenant);
            delete.Parameters.AddWithValue("i", replacedIdentifier);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await UpsertAsync(collection, tenant, [row], connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    // Inserts new identifiers and fully updates existing ones (srv_created is never overwritten).
    private static async Task UpsertAsync(Collection collection, string tenant, IReadOnlyList<StoredDocument> rows, NpgsqlConnection connection,
        NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var upsert = new NpgsqlCommand(UpsertSql(collection), connection, transaction);
        AddRows(upsert.Parameters, Enumerable.Repeat(tenant, rows.Count).ToArray(), rows);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The upsert of rows of many sites (one site per row) as one statement of a batch.</summary>
    internal static NpgsqlBatchCommand UpsertCommand(Collection collection, IReadOnlyList<string> tenants, IReadOnlyList<StoredDocument> rows, IReadOnlyList<string> texts)
    {
        var upsert = new NpgsqlBatchCommand(UpsertSql(collection));
        AddRows(upsert.Parameters, tenants, rows, texts);
        return upsert;
    }

    private static string UpsertSql(Collection collection) => $"""
        INSERT INTO {CollectionNames.Of(collection)} (tenant_id, {Columns})
        SELECT t, i, o, d, ty, sc, sm, v, j::jsonb
        FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9) AS x(t, i, o, d, ty, sc, sm, v, j)
        ON CONFLICT (tenant_id, identifier) DO UPDATE SET object_id = EXCLUDED.object_id, date_ms = EXCLUDED.date_ms, type = EXCLUDED.type,
            srv_modified = EXCLUDED.srv_modified, is_valid = EXCLUDED.is_valid, doc = EXCLUDED.doc
        """;

    /// <summary>Removes one document for good and records the removal's clock, in one transaction.</summary>
    public Task<int> DeleteByIdentifierAsync(Collection collection, string tenant, string identifier, long removedMs, CancellationToken cancellationToken = default) =>
        RemoveAsync(collection, tenant, "identifier = @k", identifier, removedMs, cancellationToken);

    /// <summary>Removes documents by _id for good and records the removal's clock, in one transaction.</summary>
    public Task<int> DeleteAsync(Collection collection, string tenant, IReadOnlyList<string> objectIds, long removedMs, CancellationToken cancellationToken = default) =>
        RemoveAsync(collection, tenant, "object_id = ANY(@k)", objectIds.ToArray(), removedMs, cancellationToken);

    // The clock is only recorded when something was removed, so a delete that matched nothing changes nothing.
    private async Task<int> RemoveAsync(Collection collection, string tenant, string match, object key, long removedMs, CancellationToken cancellationToken)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var delete = new NpgsqlCommand($"DELETE FROM {CollectionNames.Of(collection)} WHERE tenant_id = @t AND {match}", connection, transaction);
        delete.Parameters.AddWithValue("t", tenant);
        delete.Parameters.AddWithValue("k", key);
        var removed = await delete.ExecuteNonQueryAsync(cancellationToken);
        if (removed > 0)
        {
            await using var clock = new NpgsqlCommand("""
                INSERT INTO collection_removals (tenant_id, collection, removed_ms) VALUES (@t, @c, @m)
                ON CONFLICT (tenant_id, collection) DO UPDATE SET removed_ms = GREATEST(collection_removals.removed_ms, EXCLUDED.removed_ms)
                """, connection, transaction);
            clock.Parameters.AddWithValue("t", tenant);
            clock.Parameters.AddWithValue("c", CollectionNames.Of(collection));
            clock.Parameters.AddWithValue("m", removedMs);
            await clock.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return removed;
    }

    /// <summary>The newest valid documents since a time, newest first (the live window).</summary>
    public Task<List<StoredDocument>> LoadRecentAsync(Collection collection, string tenant, long sinceMs, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(RecentCommand(collection, tenant, sinceMs, limit), ReadRowsAsync, cancellationToken);

    /// <summary>
    /// A site's entry window: every valid entry dated at or after the later of
    /// <paramref name="sinceMs"/> and the date of its newest <paramref name="minimumCount"/> + 1
    /// (so at least that many whatever their age), newest first, at most <paramref name="limit"/>;
    /// with the date they start from.
    /// </summary>
    public Task<(List<WindowRow> NewestFirst, long Floor)> LoadEntryWindowAsync(string tenant, long sinceMs, int minimumCount, int limit,
        CancellationToken cancellationToken = default) =>
        QueryAsync(EntryWindowCommand(tenant, sinceMs, minimumCount, limit), (reader, ct) => ReadEntryWindowAsync(reader, limit, ct), cancellationToken);

    /// <summary>The newest valid treatment of each of the given event types (for cannula, sensor, insulin and battery ages).</summary>
    public Task<List<StoredDocument>> LoadNewestOfTypesAsync(Collection collection, string tenant, string[] types, CancellationToken cancellationToken = default) =>
        QueryAsync(NewestOfTypesCommand(collection, tenant, types), ReadRowsAsync, cancellationToken);

    /// <summary>
    /// When each collection of the site last changed: its newest srvModified, or its last removal
    /// if that came later (index-only per table).
    /// </summary>
    public Task<Dictionary<Collection, long>> LoadLastModifiedAsync(string tenant, CancellationToken cancellationToken = default) =>
        QueryAsync(LastModifiedCommand(tenant), ReadLastModifiedAsync, cancellationToken);

    /// <summary>
    /// Everything a patient grain holds in memory, read in one round trip (one batch of the five
    /// queries above, on one pooled connection): what an activation costs the database, which
    /// decides how fast thousands of sites come back after a restart.
    /// </summary>
    public async Task<LiveStateRows> LoadLiveStateAsync(string tenant, LiveStateQuery query, CancellationToken cancellationToken = default)
    {
        await using var batch = postgres.DataSource.CreateBatch();
        batch.BatchCommands.Add(EntryWindowCommand(tenant, query.WindowSinceMs, query.WindowMinimumCount, query.WindowLimit));
        batch.BatchCommands.Add(RecentCommand(Collection.DeviceStatus, tenant, query.DeviceStatusSinceMs, query.DeviceStatusLimit));
        batch.BatchCommands.Add(NewestOfTypesCommand(Collection.Treatments, tenant, query.TreatmentTypes));
        batch.BatchCommands.Add(RecentCommand(Collection.Profile, tenant, 0, 1));
        batch.BatchCommands.Add(LastModifiedCommand(tenant));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var (window, floor) = await ReadEntryWindowAsync(reader, query.WindowLimit, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var deviceStatus = await ReadRowsAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var ages = await ReadRowsAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var profile = (await ReadRowsAsync(reader, cancellationToken)).FirstOrDefault();
        await reader.NextResultAsync(cancellationToken);
        var lastModified = await ReadLastModifiedAsync(reader, cancellationToken);
        return new LiveStateRows(window, floor, deviceStatus, ages, profile, lastModified);
    }

    // One query as a batch of one, so that each query's text and reading exist once whether it
    // travels alone or in LoadLiveStateAsync's batch.
    private async Task<T> QueryAsync<T>(NpgsqlBatchCommand command, Func<NpgsqlDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var batch = postgres.DataSource.CreateBatch();
        batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await read(reader, cancellationToken);
    }

    private static NpgsqlBatchCommand RecentCommand(Collection collection, string tenant, long sinceMs, int limit)
    {
        var command = new NpgsqlBatchCommand($"""
            SELECT {ReadColumns} FROM {CollectionNames.Of(collection)}
            WHERE tenant_id = @t AND date_ms >= @since AND is_valid ORDER BY date_ms DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("since", sinceMs);
        command.Parameters.AddWithValue("limit", limit);
        return command;
    }

    private static NpgsqlBatchCommand EntryWindowCommand(string tenant, long sinceMs, int minimumCount, int limit)
    {
        var command = new NpgsqlBatchCommand($"""
            WITH bound AS (
                SELECT LEAST(@since, COALESCE(
                    (SELECT date_ms FROM entries WHERE tenant_id = @t AND is_valid ORDER BY date_ms DESC OFFSET @minimum LIMIT 1),
                    '-9223372036854775808'::bigint)) AS floor)
            SELECT bound.floor, e.* FROM bound LEFT JOIN LATERAL (
                SELECT {ReadColumns} FROM entries
                WHERE tenant_id = @t AND is_valid AND date_ms >= bound.floor ORDER BY date_ms DESC, object_id DESC LIMIT @limit) e ON true
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("since", sinceMs);
        command.Parameters.AddWithValue("minimum", minimumCount);
        command.Parameters.AddWithValue("limit", limit);
        return command;
    }

    private static async Task<(List<WindowRow> NewestFirst, long Floor)> ReadEntryWindowAsync(NpgsqlDataReader reader, int limit, CancellationToken cancellationToken)
    {
        var documents = new List<WindowRow>();
        var floor = long.MinValue;
        while (await reader.ReadAsync(cancellationToken))
        {
            floor = reader.GetInt64(0);
            if (!reader.IsDBNull(1))
            {
                // The window keeps entries encoded, never as trees: parsed from the row's bytes, as the database read path does.
                documents.Add(new WindowRow(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    ParseStored(reader, 8)));
            }
        }

        if (documents.Count == limit)
        {
            // Cut by the limit: the window starts after the last date it may not hold entirely.
            floor = documents[^1].DateMs + 1;
        }

        return (documents, floor);
    }

    private static NpgsqlBatchCommand NewestOfTypesCommand(Collection collection, string tenant, string[] types)
    {
        var command = new NpgsqlBatchCommand($"""
            SELECT newest.* FROM unnest(@types) AS wanted(event_type)
            CROSS JOIN LATERAL (
                SELECT {ReadColumns} FROM {CollectionNames.Of(collection)} d
                WHERE d.tenant_id = @t AND d.type = wanted.event_type AND d.is_valid ORDER BY d.date_ms DESC LIMIT 1) newest
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("types", types);
        return command;
    }

    private static NpgsqlBatchCommand LastModifiedCommand(string tenant)
    {
        var union = string.Join(" UNION ALL ", Enum.GetValues<Collection>().Select(c =>
            $"""
            SELECT '{CollectionNames.Of(c)}' AS c, GREATEST(
                (SELECT max(srv_modified) FROM {CollectionNames.Of(c)} WHERE tenant_id = @t),
                (SELECT removed_ms FROM collection_removals WHERE tenant_id = @t AND collection = '{CollectionNames.Of(c)}')) AS m
            """));
        var command = new NpgsqlBatchCommand(union);
        command.Parameters.AddWithValue("t", tenant);
        return command;
    }

    private static async Task<Dictionary<Collection, long>> ReadLastModifiedAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var result = new Dictionary<Collection, long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.IsDBNull(1) && CollectionNames.TryParse(reader.GetString(0), out var collection))
            {
                result[collection] = reader.GetInt64(1);
            }
        }

        return result;
    }

    internal static async Task<List<StoredDocument>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ReadRowsAsync(reader, cancellationToken);
    }

    private static async Task<List<StoredDocument>> ReadRowsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var documents = new List<StoredDocument>();
        while (await reader.ReadAsync(cancellationToken))
        {
            documents.Add(Read(reader, 0));
        }

        return documents;
    }

    // A stored text column parsed from its UTF-8 bytes, without a string in between.
    private static System.Text.Json.JsonDocument ParseStored(NpgsqlDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        return System.Text.Json.JsonDocument.Parse(stream);
    }

    // The columns of <see cref="ReadColumns"/>, starting at column <paramref name="at"/>.
    private static StoredDocument Read(NpgsqlDataReader reader, int at) =>
        new(reader.GetString(at), reader.GetString(at + 1), reader.GetInt64(at + 2), reader.IsDBNull(at + 3) ? null : reader.GetString(at + 3),
            reader.GetInt64(at + 4), reader.GetInt64(at + 5), reader.GetBoolean(at + 6), (JsonObject)JsonNode.Parse(reader.GetString(at + 7))!);

    // Positional parameters in the order of UpsertSql's unnest.
    // texts: each row's document as JSON when the writer already has it (null: written here).
    private static void AddRows(NpgsqlParameterCollection parameters, IReadOnlyList<string> tenants, IReadOnlyList<StoredDocument> rows, IReadOnlyList<string>? texts = null)
    {
        parameters.Add(new NpgsqlParameter<string[]> { TypedValue = tenants.ToArray() });
        parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.Identifier).ToArray() });
        parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.ObjectId).ToArray() });
        parameters.Add(new NpgsqlParameter<long[]> { TypedValue = rows.Select(r => r.DateMs).ToArray() });
        parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.Type).ToArray() });
        parameters.Add(new NpgsqlParameter<long[]> { TypedValue = rows.Select(r => r.SrvCreated).ToArray() });
        parameters.Add(new NpgsqlParameter<long[]> { TypedValue = rows.Select(r => r.SrvModified).ToArray() });
        parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = rows.Select(r => r.IsValid).ToArray() });
        parameters.Add(new NpgsqlParameter<string[]> { TypedValue = texts?.ToArray() ?? rows.Select(r => r.Doc.ToJsonString()).ToArray() });
    }

    /// <summary>
    /// The newest valid document from one device. Walks the (tenant, date) index backwards: a
    /// connector's own readings are normally the newest, so the scan stops almost at once.
    /// </summary>
    public async Task<long?> NewestFromDeviceAsync(Collection collection, string tenant, string device, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT date_ms FROM {CollectionNames.Of(collection)}
            WHERE tenant_id = @t AND is_valid AND doc->>'device' = @d ORDER BY date_ms DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("d", device);
        return await command.ExecuteScalarAsync(cancellationToken) is long ms ? ms : null;
    }

    public async Task<IReadOnlyList<string>> IdentifiersFromDeviceAsync(Collection collection, string tenant, string device, long from, long to, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT identifier FROM {CollectionNames.Of(collection)}
            WHERE tenant_id = @t AND is_valid AND doc->>'device' = @d AND date_ms BETWEEN @from AND @to
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("d", device);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        var identifiers = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            identifiers.Add(reader.GetString(0));
        }

        return identifiers;
    }
}
