using Nocturne.Grains.Interfaces.StateSpans;
using Nocturne.Grains.Storage;
using Npgsql;

namespace Nocturne.Grains.StateSpans;

/// <summary>
/// Writes of <c>state_span_events</c> and <c>state_spans</c>. Only a site's category grain calls
/// these for its (site, category), so a replay never races another writer.
/// </summary>
public sealed class StateSpanStore(PostgresConnection postgres)
{
    private const string EventColumns = "origin_key, at_ms, kind, state, end_ms, source, metadata, original_id, canonical_key, span_id, manual";
    internal const string SpanColumns = "id, category, state, start_ms, end_ms, declared_end_ms, source, metadata, original_id, canonical_id, sources, manual, created_ms, updated_ms";

    /// <summary>A span row with its clocks.</summary>
    public sealed record StoredSpan(StateSpanCategory Category, ReplayedSpan Span, long CreatedMs, long UpdatedMs)
    {
        public StateSpan ToStateSpan() => new(Span.Id, Category, Span.State, Span.Start, Span.End, Span.Source, Span.MetadataJson, Span.OriginalId,
            Span.CanonicalId, Span.Sources, Span.Manual, CreatedMs, UpdatedMs);
    }

    /// <summary>
    /// Replaces the events of <paramref name="originKeys"/> with <paramref name="events"/> and replays
    /// the stretch of history they touch, in one transaction. Returns false when nothing changed.
    /// </summary>
    public async Task<bool> ApplyAsync(string tenant, StateSpanCategory category, IReadOnlyCollection<string> originKeys, IReadOnlyList<StateSpanEvent> events,
        long nowMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var keys = originKeys.Union(events.Select(e => e.OriginKey)).ToArray();
        var old = await ReadEventsAsync(connection, transaction, tenant, category, "origin_key = ANY(@keys)", c => c.Parameters.AddWithValue("keys", keys), cancellationToken);
        if (old.Count == 0 && events.Count == 0)
        {
            return false;
        }

        var oldByKey = old.ToDictionary(e => e.OriginKey);
        if (old.Count == events.Count && events.All(e => oldByKey.TryGetValue(e.OriginKey, out var o) && o == e))
        {
            // A re-upload of the same facts.
            return false;
        }

        await using (var delete = new NpgsqlCommand("DELETE FROM state_span_events WHERE tenant_id = @t AND category = @c AND origin_key = ANY(@keys)", connection, transaction))
        {
            delete.Parameters.AddWithValue("t", tenant);
            delete.Parameters.AddWithValue("c", category.ToString());
            delete.Parameters.AddWithValue("keys", keys);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertEventsAsync(connection, transaction, tenant, category, events, cancellationToken);
        var times = old.Concat(events).Select(e => e.AtMs).ToList();
        await ReplayAsync(connection, transaction, tenant, category, times.Min(), times.Max(), nowMs, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Replaces every derived event of the category with <paramref name="derived"/> (manual ones stay) and replays all of it.</summary>
    public async Task<int> RebuildAsync(string tenant, StateSpanCategory category, IReadOnlyList<StateSpanEvent> derived, long nowMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand("DELETE FROM state_span_events WHERE tenant_id = @t AND category = @c AND NOT manual", connection, transaction))
        {
            delete.Parameters.AddWithValue("t", tenant);
            delete.Parameters.AddWithValue("c", category.ToString());
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertEventsAsync(connection, transaction, tenant, category, derived, cancellationToken);
        var count = await ReplayAsync(connection, transaction, tenant, category, long.MinValue, long.MaxValue, nowMs, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>
    /// Replays the spans that events between <paramref name="fromMs"/> and <paramref name="toMs"/> can change.
    /// Exclusive categories resume at the last event before the stretch (with the span running
    /// there, which a sample may continue) and stop at the first open or close after it: from
    /// there on every span depends only on later events, which did not change. Other categories'
    /// spans depend on their own event only.
    /// </summary>
    private static async Task<int> ReplayAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, StateSpanCategory category,
        long fromMs, long toMs, long nowMs, CancellationToken cancellationToken)
    {
        long lo = fromMs;
        long? hi = toMs == long.MaxValue ? null : toMs + 1;
        StoredSpan? running = null;
        if (StateSpanCategories.IsExclusive(category))
        {
            if (fromMs != long.MinValue && await ScalarAsync(connection, transaction, tenant, category,
                    "SELECT max(at_ms) FROM state_span_events WHERE tenant_id = @t AND category = @c AND at_ms < @x", fromMs, cancellationToken) is { } previous)
            {
                lo = previous;
                running = (await ReadSpansAsync(connection, transaction, tenant,
                    "category = @c AND start_ms < @lo AND (end_ms IS NULL OR end_ms > @lo) ORDER BY start_ms DESC LIMIT 1",
                    c => { c.Parameters.AddWithValue("c", category.ToString()); c.Parameters.AddWithValue("lo", lo); }, cancellationToken)).FirstOrDefault();
            }

            hi = toMs == long.MaxValue ? null : await ScalarAsync(connection, transaction, tenant, category,
                "SELECT min(at_ms) FROM state_span_events WHERE tenant_id = @t AND category = @c AND at_ms > @x AND kind <> 2", toMs, cancellationToken);
        }

        // The events at the boundary itself are replayed too (a cancel there decides how the span
        // before it ends); the spans they start lie outside the stretch and are left as stored.
        var events = await ReadEventsAsync(connection, transaction, tenant, category, "at_ms >= @lo AND at_ms <= @hi", c =>
        {
            c.Parameters.AddWithValue("lo", lo);
            c.Parameters.AddWithValue("hi", hi ?? long.MaxValue);
        }, cancellationToken);
        var replayed = SpanReplay.Replay(category, events, running?.Span).Where(s => hi is null || s.Start < hi).ToList();

        var from = running?.Span.Start ?? lo;
        var existing = (await ReadSpansAsync(connection, transaction, tenant, "category = @c AND start_ms >= @from AND start_ms < @hi", c =>
        {
            c.Parameters.AddWithValue("c", category.ToString());
            c.Parameters.AddWithValue("from", from);
            c.Parameters.AddWithValue("hi", hi ?? long.MaxValue);
        }, cancellationToken)).ToDictionary(s => s.Span.Id);

        var gone = existing.Keys.Except(replayed.Select(s => s.Id)).ToArray();
        if (gone.Length > 0)
        {
            await using var delete = new NpgsqlCommand("DELETE FROM state_spans WHERE tenant_id = @t AND id = ANY(@ids)", connection, transaction);
            delete.Parameters.AddWithValue("t", tenant);
            delete.Parameters.AddWithValue("ids", gone);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        var changed = replayed.Where(s => !existing.TryGetValue(s.Id, out var e) || !e.Span.SameAs(s)).ToList();
        if (changed.Count > 0)
        {
            await InsertSpansAsync(connection, transaction, tenant, category, changed, existing, nowMs, cancellationToken);
        }

        return replayed.Count;
    }

    private static async Task InsertSpansAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, StateSpanCategory category,
        List<ReplayedSpan> spans, Dictionary<string, StoredSpan> existing, long nowMs, CancellationToken cancellationToken)
    {
        // A span id is unique per site: an old row of the same id elsewhere in time is the same span moved.
        await using var command = new NpgsqlCommand($"""
            INSERT INTO state_spans (tenant_id, {SpanColumns})
            SELECT @t, id, @c, st, s, e, de, src, m::jsonb, o, cid, string_to_array(srcs, chr(31)), man, cr, @now
            FROM unnest(@id, @st, @s, @e, @de, @src, @m, @o, @cid, @srcs, @man, @cr) AS x(id, st, s, e, de, src, m, o, cid, srcs, man, cr)
            ON CONFLICT (tenant_id, id) DO UPDATE SET category = EXCLUDED.category, state = EXCLUDED.state, start_ms = EXCLUDED.start_ms,
                end_ms = EXCLUDED.end_ms, declared_end_ms = EXCLUDED.declared_end_ms, source = EXCLUDED.source, metadata = EXCLUDED.metadata,
                original_id = EXCLUDED.original_id, canonical_id = EXCLUDED.canonical_id, sources = EXCLUDED.sources, manual = EXCLUDED.manual,
                updated_ms = EXCLUDED.updated_ms
            """, connection, transaction);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("c", category.ToString());
        command.Parameters.AddWithValue("now", nowMs);
        command.Parameters.AddWithValue("id", spans.Select(s => s.Id).ToArray());
        command.Parameters.AddWithValue("st", spans.Select(s => s.State).ToArray());
        command.Parameters.AddWithValue("s", spans.Select(s => s.Start).ToArray());
        command.Parameters.AddWithValue("e", spans.Select(s => s.End).ToArray());
        command.Parameters.AddWithValue("de", spans.Select(s => s.DeclaredEnd).ToArray());
        command.Parameters.AddWithValue("src", spans.Select(s => s.Source).ToArray());
        command.Parameters.AddWithValue("m", spans.Select(s => s.MetadataJson).ToArray());
        command.Parameters.AddWithValue("o", spans.Select(s => s.OriginalId).ToArray());
        command.Parameters.AddWithValue("cid", spans.Select(s => s.CanonicalId).ToArray());
        command.Parameters.AddWithValue("srcs", spans.Select(s => string.Join('\u001f', s.Sources)).ToArray());
        command.Parameters.AddWithValue("man", spans.Select(s => s.Manual).ToArray());
        command.Parameters.AddWithValue("cr", spans.Select(s => existing.TryGetValue(s.Id, out var e) ? e.CreatedMs : nowMs).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, StateSpanCategory category,
        IReadOnlyList<StateSpanEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var insert = new NpgsqlCommand($"""
            INSERT INTO state_span_events (tenant_id, category, {EventColumns})
            SELECT @t, @c, k, a, ki, st, e, src, m::jsonb, o, ck, sid, man
            FROM unnest(@k, @a, @ki, @st, @e, @src, @m, @o, @ck, @sid, @man) AS x(k, a, ki, st, e, src, m, o, ck, sid, man)
            ON CONFLICT (tenant_id, category, origin_key) DO NOTHING
            """, connection, transaction);
        insert.Parameters.AddWithValue("t", tenant);
        insert.Parameters.AddWithValue("c", category.ToString());
        insert.Parameters.AddWithValue("k", events.Select(e => e.OriginKey).ToArray());
        insert.Parameters.AddWithValue("a", events.Select(e => e.AtMs).ToArray());
        insert.Parameters.AddWithValue("ki", events.Select(e => (short)e.Kind).ToArray());
        insert.Parameters.AddWithValue("st", events.Select(e => e.State).ToArray());
        insert.Parameters.AddWithValue("e", events.Select(e => e.EndMs).ToArray());
        insert.Parameters.AddWithValue("src", events.Select(e => e.Source).ToArray());
        insert.Parameters.AddWithValue("m", events.Select(e => e.MetadataJson).ToArray());
        insert.Parameters.AddWithValue("o", events.Select(e => e.OriginalId).ToArray());
        insert.Parameters.AddWithValue("ck", events.Select(e => e.CanonicalKey).ToArray());
        insert.Parameters.AddWithValue("sid", events.Select(e => e.SpanId).ToArray());
        insert.Parameters.AddWithValue("man", events.Select(e => e.Manual).ToArray());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The category's manual event with this span id, if any.</summary>
    public async Task<StateSpanEvent?> FindManualAsync(string tenant, StateSpanCategory category, string spanId, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        return (await ReadEventsAsync(connection, null, tenant, category, "manual AND span_id = @id", c => c.Parameters.AddWithValue("id", spanId), cancellationToken))
            .FirstOrDefault();
    }

    private static async Task<long?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, StateSpanCategory category, string sql, long x,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("c", category.ToString());
        command.Parameters.AddWithValue("x", x);
        return await command.ExecuteScalarAsync(cancellationToken) is long value ? value : null;
    }

    private static async Task<List<StateSpanEvent>> ReadEventsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string tenant, StateSpanCategory category,
        string where, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {EventColumns} FROM state_span_events WHERE tenant_id = @t AND category = @c AND {where}", connection, transaction);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("c", category.ToString());
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StateSpanEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StateSpanEvent(reader.GetString(0), reader.GetInt64(1), (StateSpanEventKind)reader.GetInt16(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetBoolean(10)));
        }

        return events;
    }

    internal static async Task<List<StoredSpan>> ReadSpansAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string tenant, string whereAndOrder,
        Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {SpanColumns} FROM state_spans WHERE tenant_id = @t AND {whereAndOrder}", connection, transaction);
        command.Parameters.AddWithValue("t", tenant);
        bind(command);
        return await ReadSpansAsync(command, cancellationToken);
    }

    internal static async Task<List<StoredSpan>> ReadSpansAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var spans = new List<StoredSpan>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!StateSpanCategories.TryParse(reader.GetString(1), out var category))
            {
                continue;
            }

            var span = new ReplayedSpan(reader.GetString(0), reader.GetString(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetString(9), reader.GetFieldValue<string[]>(10), reader.GetBoolean(11));
            spans.Add(new StoredSpan(category, span, reader.GetInt64(12), reader.GetInt64(13)));
        }

        return spans;
    }
}
