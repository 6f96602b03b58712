using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Tenants;

// The patient's documents: this grain is their single writer, and keeps the live window.
public sealed partial class PatientGrain
{
    private readonly EntryWindow _entryWindow = new();
    private readonly Properties.LiveState _live = new();
    private readonly StateSpans.StateSpanFeed _spanFeed = new();
    private Dictionary<Collection, long> _lastModified = [];
    private long _clock;

    // Everything in one round trip: an activation's cost to the database decides how fast the sites come back after a restart.
    private async Task LoadLiveStateAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await loads.LoadAsync(() => documents.LoadLiveStateAsync(SiteId, LiveStateQueryAt(now), cancellationToken), cancellationToken);
        _entryWindow.Load(rows.WindowNewestFirst, rows.WindowFloor, now);
        _live.Load(rows.DeviceStatus, rows.NewestOfTypes, rows.Profile);
        PropertiesReloaded();
        _lastModified = rows.LastModified;
        _clock = _lastModified.Count == 0 ? 0 : _lastModified.Values.Max();
    }

    private static LiveStateQuery LiveStateQueryAt(DateTimeOffset now) => new((now - EntryWindow.Span).ToUnixTimeMilliseconds(), EntryWindow.MinimumCount,
        EntryWindow.Capacity, (now - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), Properties.LiveState.DeviceStatusKept, Properties.LiveState.KeptEventTypes);

    private async Task LoadEntryWindowAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var query = LiveStateQueryAt(now);
        var (newestFirst, floor) = await documents.LoadEntryWindowAsync(SiteId, query.WindowSinceMs, query.WindowMinimumCount, query.WindowLimit, cancellationToken);
        _entryWindow.Load(newestFirst, floor, now);
    }

    public async Task<ChangeResult<string>> WriteDocumentsAsync(Collection collection, string documentsJson, WriteMode mode)
    {
        if (await ServingSiteAsync() is null)
        {
            return ChangeResult<string>.Fail(ChangeStatus.NotFound, null);
        }

        JsonArray input;
        try
        {
            input = JsonNode.Parse(documentsJson) switch
            {
                JsonArray array => array,
                JsonObject single => new JsonArray(single),
                _ => throw new JsonException("not an object or array"),
            };
        }
        catch (JsonException ex)
        {
            return ChangeResult<string>.Fail(ChangeStatus.Invalid, $"Body must be a JSON object or array of objects ({ex.Message})");
        }

        if (HtmlPurifier.Applies(collection))
        {
            HtmlPurifier.Purify(input);
        }

        var now = time.GetUtcNow();
        var prepared = DocumentRules.Prepare(collection, input, now);
        if (prepared.Error is not null)
        {
            return ChangeResult<string>.Fail(ChangeStatus.Invalid, prepared.Description, title: prepared.Error);
        }

        if (prepared.Documents.Count == 0)
        {
            return ChangeResult<string>.Ok("[]");
        }

        // A new reading (no identifier, no _id, a date the window holds and has no entry at) needs no lookup: one round trip per upload.
        var candidates = collection == Collection.Entries && _entryWindow.RulesOutDuplicates(prepared.Documents) ? [] : await documents.FindCandidatesAsync(collection, SiteId,
            prepared.Documents.Where(d => d.Identifier is not null).Select(d => d.Identifier!),
            prepared.Documents.Where(d => d.ObjectId is not null).Select(d => d.ObjectId!),
            collection is Collection.Entries or Collection.Treatments ? prepared.Documents.Select(d => d.DateMs) : []);
        var writer = new DocumentWriter(collection, mode, () => NextClock(now), () => ObjectIds.New(now));
        writer.Know(candidates);
        writer.Apply(ConnectorWrites(mode, prepared.Documents, candidates));
        var response = writer.Response();
        if (writer.Inserts.Count + writer.Updates.Count == 0)
        {
            return ChangeResult<string>.Ok(response);
        }

        await documents.SaveAsync(collection, SiteId, writer.Inserts, writer.Updates, writer.WrittenTexts());
        Telemetry.NocturneMetrics.RecordUpload(CollectionNames.Of(collection), prepared.Documents.Count, writer.Inserts.Count);

        await ApplyChangeAsync(DocumentChange.Wrote(collection, writer.Written.ToList()), now);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            // Guarded: the arguments' array and boxes would be built on every upload even with Debug off.
            logger.LogDebug("Site {Site}: {Collection} {Inserted} inserted, {Updated} updated", SiteId, collection, writer.Inserts.Count, writer.Updates.Count);
        }
        return ChangeResult<string>.Ok(response);
    }

    public async Task<int> DeleteDocumentsAsync(Collection collection, IReadOnlyList<string> objectIds)
    {
        if (objectIds.Count == 0 || await ServingSiteAsync() is null)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var clock = NextClock(now);
        var deleted = await documents.DeleteAsync(collection, SiteId, objectIds, clock);
        if (deleted > 0)
        {
            await ApplyChangeAsync(DocumentChange.Removed(collection, objectIds.ToHashSet(), clock), now);
        }

        logger.LogInformation("Site {Site}: {Count} {Collection} deleted", SiteId, deleted, collection);
        return deleted;
    }

    public async Task<RecentEntries?> GetRecentEntriesAsync(int count, string? type)
    {
        if (count <= 0 || await ServingSiteAsync() is null)
        {
            return null;
        }

        return _entryWindow.Newest(count, type, (time.GetUtcNow() - DocumentQueries.ImplicitWindow).ToUnixTimeMilliseconds());
    }

    // The one place where a committed change reaches what the grain derives from the documents.
    private async Task ApplyChangeAsync(DocumentChange change, DateTimeOffset now)
    {
        if (change.Written.Count == 0 && change.RemovedObjectIds.Count == 0)
        {
            return;
        }

        PropertiesFollow(change);

        if (change.Collection == Collection.Entries)
        {
            _entryWindow.Apply(change.Written, change.RemovedObjectIds, now);
            if (_entryWindow.NeedsRefill)
            {
                await LoadEntryWindowAsync(now, CancellationToken.None);
            }
        }

        var reload = _live.Apply(change.Collection, change.Written);
        if (reload || (change.RemovedObjectIds.Count > 0 && _live.References(change.RemovedObjectIds)))
        {
            await LoadPropertiesStateAsync(now, CancellationToken.None);
        }

        _lastModified[change.Collection] = Math.Max(_lastModified.GetValueOrDefault(change.Collection), change.SrvModified);
        await _spanFeed.ForwardAsync(GrainFactory, SiteId, change, logger);
        Push.SiteChangeFeed.Publish(GrainFactory, SiteId, change, now, _followed ? _followGeneration : null, KnownSite() is { Enabled: true } site ? site.Settings : null);
    }

    private async Task LoadPropertiesStateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var query = LiveStateQueryAt(now);
        var deviceStatus = await documents.LoadRecentAsync(Collection.DeviceStatus, SiteId, query.DeviceStatusSinceMs, query.DeviceStatusLimit, cancellationToken);
        var ages = await documents.LoadNewestOfTypesAsync(Collection.Treatments, SiteId, query.TreatmentTypes, cancellationToken);
        var profile = (await documents.LoadRecentAsync(Collection.Profile, SiteId, 0, 1, cancellationToken)).FirstOrDefault();
        _live.Load(deviceStatus, ages, profile);
        PropertiesReloaded();
    }

    public async Task<IReadOnlyDictionary<string, long>> GetLastModifiedAsync() =>
        await ServingSiteAsync() is null ? new Dictionary<string, long>() : _lastModified.ToDictionary(p => CollectionNames.Of(p.Key), p => p.Value);

    // srvModified strictly increases per site, even within one millisecond or across a clock step back.
    private long NextClock(DateTimeOffset now)
    {
        _clock = Math.Max(now.ToUnixTimeMilliseconds(), _clock + 1);
        return _clock;
    }
}
