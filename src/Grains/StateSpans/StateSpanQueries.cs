using Nocturne.Grains.Interfaces.StateSpans;
using Nocturne.Grains.Storage;
using Npgsql;

namespace Nocturne.Grains.StateSpans;

/// <summary>The read side of StateSpans: searches, one span, and what was in force at an instant.</summary>
public sealed class StateSpanQueries(PostgresConnection postgres)
{
    public const int MaxCount = 10_000;

    public async Task<List<StateSpan>> FindAsync(string tenant, StateSpanQuery query, long nowMs, CancellationToken cancellationToken = default)
    {
        var clauses = new List<string>();
        await using var command = postgres.DataSource.CreateCommand();
        command.Parameters.AddWithValue("t", tenant);
        if (query.Category is { } category)
        {
            clauses.Add("category = @c");
            command.Parameters.AddWithValue("c", category.ToString());
        }

        if (query.State is { } state)
        {
            clauses.Add("state = @s");
            command.Parameters.AddWithValue("s", state);
        }

        if (query.ToMs is { } to)
        {
            clauses.Add("start_ms < @to");
            command.Parameters.AddWithValue("to", to);
        }

        if (query.FromMs is { } from)
        {
            clauses.Add("(end_ms IS NULL OR end_ms > @from)");
            command.Parameters.AddWithValue("from", from);
            if (query.Category is { } exclusive && StateSpanCategories.IsExclusive(exclusive))
            {
                // Spans of an exclusive category never overlap: none that overlaps the range starts
                // before the one in force at its start, so the index walk stops there.
                clauses.Add("start_ms >= COALESCE((SELECT max(start_ms) FROM state_spans WHERE tenant_id = @t AND category = @c AND start_ms <= @from), @from)");
            }
        }

        if (query.Source is { } source)
        {
            clauses.Add("(source = @src OR @src = ANY(sources))");
            command.Parameters.AddWithValue("src", source);
        }

        if (query.Active is { } active)
        {
            // Active: started by now and not yet ended (an end in the future counts as running).
            clauses.Add(active ? "start_ms <= @now AND (end_ms IS NULL OR end_ms > @now)" : "end_ms IS NOT NULL AND end_ms <= @now");
            command.Parameters.AddWithValue("now", nowMs);
        }

        var where = clauses.Count == 0 ? "true" : string.Join(" AND ", clauses);
        command.CommandText = $"""
            SELECT {StateSpanStore.SpanColumns} FROM state_spans WHERE tenant_id = @t AND {where}
            ORDER BY start_ms DESC, id LIMIT @n OFFSET @skip
            """;
        command.Parameters.AddWithValue("n", Math.Clamp(query.Count, 0, MaxCount));
        command.Parameters.AddWithValue("skip", Math.Max(0, query.Skip));
        return (await StateSpanStore.ReadSpansAsync(command, cancellationToken)).Select(s => s.ToStateSpan()).ToList();
    }

    public async Task<StateSpan?> FindByIdAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync(cancellationToken);
        var spans = await StateSpanStore.ReadSpansAsync(connection, null, tenant, "id = @id", c => c.Parameters.AddWithValue("id", id), cancellationToken);
        return spans.FirstOrDefault()?.ToStateSpan();
    }

    /// <summary>Every span in force at <paramref name="atMs"/> (start at or before, end after), one query over all categories.</summary>
    public async Task<List<StateSpan>> AtAsync(string tenant, long atMs, CancellationToken cancellationToken = default)
    {
        // Exclusive categories: only the last span started by then can be in force.
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT s.* FROM unnest(@exclusive) AS wanted(category)
            CROSS JOIN LATERAL (
                SELECT {StateSpanStore.SpanColumns} FROM state_spans x
                WHERE x.tenant_id = @t AND x.category = wanted.category AND x.start_ms <= @at
                ORDER BY x.start_ms DESC LIMIT 1) s
            WHERE s.end_ms IS NULL OR s.end_ms > @at
            UNION ALL
            SELECT {StateSpanStore.SpanColumns} FROM state_spans
            WHERE tenant_id = @t AND category = ANY(@others) AND start_ms <= @at AND (end_ms IS NULL OR end_ms > @at)
            """);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("at", atMs);
        command.Parameters.AddWithValue("exclusive", StateSpanCategories.All.Where(StateSpanCategories.IsExclusive).Select(c => c.ToString()).ToArray());
        command.Parameters.AddWithValue("others", StateSpanCategories.All.Where(c => !StateSpanCategories.IsExclusive(c)).Select(c => c.ToString()).ToArray());
        return (await StateSpanStore.ReadSpansAsync(command, cancellationToken)).Select(s => s.ToStateSpan()).ToList();
    }
}
