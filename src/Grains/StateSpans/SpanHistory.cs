using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.StateSpans;
using Nocturne.Grains.Storage;

namespace Nocturne.Grains.StateSpans;

/// <summary>
/// Derives a category's events from every stored document that can speak for it: the treatments
/// of its event types and, for pump mode and connectivity, the device status. Read in pages along
/// the (site, type, time) and (site, time) indexes, so years of history never sit in memory at once.
/// </summary>
public sealed class SpanHistory(PostgresConnection postgres)
{
    private const int Page = 2000;

    public async Task<List<StateSpanEvent>> DeriveAsync(string tenant, StateSpanCategory category, CancellationToken cancellationToken = default)
    {
        var events = new List<StateSpanEvent>();
        if (SpanDerivation.TreatmentTypes.TryGetValue(category, out var types))
        {
            await ScanAsync(Collection.Treatments, tenant, types, category, events, cancellationToken);
        }

        if (SpanDerivation.DeviceStatusCategories.Contains(category))
        {
            await ScanAsync(Collection.DeviceStatus, tenant, null, category, events, cancellationToken);
        }

        return events;
    }

    private async Task ScanAsync(Collection collection, string tenant, string[]? types, StateSpanCategory category, List<StateSpanEvent> events,
        CancellationToken cancellationToken)
    {
        var afterDate = long.MinValue;
        var afterId = "";
        while (true)
        {
            await using var command = postgres.DataSource.CreateCommand($"""
                SELECT {DocumentStore.ReadColumns} FROM {CollectionNames.Of(collection)}
                WHERE tenant_id = @t AND is_valid {(types is null ? "" : "AND type = ANY(@types)")} AND (date_ms, identifier) > (@d, @i)
                ORDER BY date_ms, identifier LIMIT @n
                """);
            command.Parameters.AddWithValue("t", tenant);
            if (types is not null)
            {
                command.Parameters.AddWithValue("types", types);
            }

            command.Parameters.AddWithValue("d", afterDate);
            command.Parameters.AddWithValue("i", afterId);
            command.Parameters.AddWithValue("n", Page);
            var page = await DocumentStore.ReadAllAsync(command, cancellationToken);
            foreach (var document in page)
            {
                events.AddRange(SpanDerivation.Derive(tenant, collection, document).Where(d => d.Category == category).Select(d => d.Event));
            }

            if (page.Count < Page)
            {
                return;
            }

            (afterDate, afterId) = (page[^1].DateMs, page[^1].Identifier);
        }
    }
}
