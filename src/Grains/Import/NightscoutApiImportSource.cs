using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Connectors.Sources;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Import;

/// <summary>
/// A running Nightscout read through its API (see docs/import.md). With an access token (v3 mode),
/// each collection comes from <c>history/{srvModified}</c> in srvModified order, the cursor being the
/// last srvModified read. With the API secret (v1 mode) the API has no modification time and answers
/// newest first, so a collection is read in passes walking down by the document's own time
/// (<c>date</c>, else <c>created_at</c>): the cursor holds the pass's lower edge so far, its newest
/// time, and the floor (the newest time of the last finished pass, where the next pass stops).
/// Profiles and foods are few and have no usable time: they are read whole, after the last ObjectId.
/// Activity is v1 only, so v3 mode reads it over v1 with the access token.
/// </summary>
public sealed class NightscoutApiImportSource : IImportSource
{
    // A bound on created_at is compared as a string by the reference: one second of slack includes
    // the same instant written without milliseconds or with them. Re-read documents are dropped.
    private const long CreatedAtSlackMs = 1000;

    private readonly ConnectorContext _context;
    private readonly Func<CancellationToken, Task<VendorSession>> _login;
    private readonly int _pageSize;
    private VendorSession _session;

    public NightscoutApiImportSource(ConnectorContext context, VendorSession session, Func<CancellationToken, Task<VendorSession>> login, int pageSize)
    {
        (_context, _session, _login, _pageSize) = (context, session, login, pageSize);
        var url = new UriBuilder(context.Settings.Url!) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri;
        Description = $"nightscout {Api} {url}";
    }

    /// <summary>The source's site and the API used; cursors of one API mean nothing to the other, so a change of API starts afresh.</summary>
    public string Description { get; }

    /// <summary><c>v3</c> or <c>v1</c>.</summary>
    public string Api => _session.Fact(NightscoutSource.ModeFact) ?? "v1";

    private bool V3 => Api == "v3";

    public IReadOnlyList<Collection> Collections { get; } =
        [Collection.Profile, Collection.Food, Collection.Activity, Collection.Treatments, Collection.DeviceStatus, Collection.Entries];

    public async Task<long?> CountAsync(Collection collection, CancellationToken cancellationToken)
    {
        if (collection is Collection.Profile or Collection.Food)
        {
            return (await ListAsync(collection, cancellationToken)).Count;
        }

        var name = CollectionNames.Of(collection);
        var answer = await V1Async($"api/v1/count/{name}/where?{Lower(collection, null)}", cancellationToken);
        if (!answer.IsSuccess)
        {
            return null;
        }

        // Mongo's $group over nothing yields no group at all.
        return answer.Body is JsonArray groups ? groups.OfType<JsonObject>().Sum(g => g["count"] is JsonValue c && c.TryGetValue<long>(out var n) ? n : 0) : null;
    }

    public IAsyncEnumerable<ImportPage> ReadAsync(Collection collection, string? cursor, CancellationToken cancellationToken) => collection switch
    {
        Collection.Profile or Collection.Food => ReadListAsync(collection, cursor, cancellationToken),
        Collection.Activity => ReadByTimeAsync(collection, cursor, cancellationToken),
        _ when V3 => ReadHistoryAsync(collection, cursor, cancellationToken),
        _ => ReadByTimeAsync(collection, cursor, cancellationToken),
    };

    // Subjects and roles need the source's database (their tokens are derived from it).
    public Task<SourceAccess?> ReadAccessAsync(CancellationToken cancellationToken) => Task.FromResult<SourceAccess?>(null);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async IAsyncEnumerable<ImportPage> ReadHistoryAsync(Collection collection, string? cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var name = CollectionNames.Of(collection);
        var after = cursor is null ? 0L : long.Parse(cursor, CultureInfo.InvariantCulture);
        // Identifiers read at the cursor's millisecond: the next page starts one millisecond earlier,
        // so that documents sharing it (the reference stamps each on its own, ties happen) are not lost.
        var atCursor = new HashSet<string>(StringComparer.Ordinal);
        // A resumed read repeats the cursor's millisecond too (InsertMissing makes that harmless).
        var resumed = cursor is not null;
        while (true)
        {
            var from = atCursor.Count > 0 || resumed ? after - 1 : after;
            resumed = false;
            var result = (await V3Async($"api/v3/{name}/history/{from.ToString(CultureInfo.InvariantCulture)}?limit={_pageSize}", name, cancellationToken))
                .Expect<JsonObject>($"{name} history")["result"] as JsonArray ?? throw new VendorProtocolException($"Nightscout {name} history has no result array");
            var documents = new List<JsonObject>();
            var newest = after;
            var fresh = 0;
            foreach (var doc in result.OfType<JsonObject>())
            {
                var modified = doc["srvModified"] is JsonValue m && m.TryGetValue<long>(out var ms) ? ms
                    : throw new VendorProtocolException($"A Nightscout {name} document has no srvModified");
                var identifier = (string?)doc["identifier"] ?? (string?)doc["_id"] ?? "";
                if (modified == after && atCursor.Contains(identifier))
                {
                    continue;
                }

                fresh++;
                if (modified > newest)
                {
                    (newest, atCursor) = (modified, new HashSet<string>(StringComparer.Ordinal));
                }

                atCursor.Add(identifier);
                // An import copies what exists: a deletion in the history is not a document.
                if (doc["isValid"]?.GetValueKind() != JsonValueKind.False)
                {
                    documents.Add(NightscoutSource.Cleaned(doc));
                }
            }

            after = newest;
            if (fresh > 0)
            {
                yield return new ImportPage(documents, [], after.ToString(CultureInfo.InvariantCulture));
            }

            if (result.Count < _pageSize)
            {
                yield break;
            }

            if (fresh == 0)
            {
                // A full page of one millisecond, all seen: only a strict "after" can move on.
                atCursor.Clear();
            }
        }
    }

    private async IAsyncEnumerable<ImportPage> ReadByTimeAsync(Collection collection, string? cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var name = CollectionNames.Of(collection);
        var pass = cursor is null ? new TimeCursor(null, null, null) : JsonSerializer.Deserialize<TimeCursor>(cursor)!;
        var previous = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var upper = pass.Low is { } low ? "&" + Bound(collection, "lte", collection == Collection.Entries ? low : low + CreatedAtSlackMs) : "";
            var answer = await V1Async($"api/v1/{name}.json?{Lower(collection, pass.Floor)}{upper}&count={_pageSize}", cancellationToken);
            if (answer.Status == HttpStatusCode.NotFound && collection == Collection.Activity)
            {
                yield break;
            }

            EnsureRead(answer, name);
            var page = answer.Expect<JsonArray>(name).OfType<JsonObject>().ToList();
            var documents = new List<JsonObject>(page.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            long? oldest = null;
            var top = pass.Top;
            foreach (var doc in page)
            {
                var id = (string?)doc["_id"] ?? (string?)doc["identifier"] ?? doc.ToJsonString();
                seen.Add(id);
                if (NightscoutSource.DocumentTime(doc) is { } at)
                {
                    oldest = Math.Min(oldest ?? at, at);
                    top = Math.Max(top ?? at, at);
                }

                if (!previous.Contains(id))
                {
                    documents.Add(NightscoutSource.Cleaned(doc));
                }
            }

            previous = seen;
            if (page.Count < _pageSize)
            {
                // The pass reached the floor: the next one reads what is newer than everything seen in it.
                var floor = pass.Floor is { } f && top is { } t ? Math.Max(f, t) : pass.Floor ?? top;
                yield return new ImportPage(documents, [], JsonSerializer.Serialize(new TimeCursor(floor, null, null)));
                yield break;
            }

            // A full page that does not reach below the last edge (a crowd of documents at one time) steps past it.
            var next = oldest is { } o && (pass.Low is not { } l || o < l) ? o : (pass.Low ?? oldest ?? 0) - 1;
            pass = pass with { Top = top, Low = next };
            yield return new ImportPage(documents, [], JsonSerializer.Serialize(pass));
        }
    }

    private async IAsyncEnumerable<ImportPage> ReadListAsync(Collection collection, string? cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var all = await ListAsync(collection, cancellationToken);
        // ObjectIds grow with time: a later run takes only those after the last one read (and any other kind of id again, harmlessly).
        var newer = all.Where(d => (string?)d["_id"] is not { } id || !Documents.ObjectIds.IsValid(id) || cursor is null || string.CompareOrdinal(id, cursor) > 0).ToList();
        var last = all.Select(d => (string?)d["_id"]).Where(id => id is not null && Documents.ObjectIds.IsValid(id)).Max(StringComparer.Ordinal);
        var next = cursor is null || (last is not null && string.CompareOrdinal(last, cursor) > 0) ? last : cursor;
        if (newer.Count > 0 || next != cursor)
        {
            yield return new ImportPage(newer.Select(NightscoutSource.Cleaned).ToList(), [], next ?? "");
        }
    }

    private async Task<List<JsonObject>> ListAsync(Collection collection, CancellationToken cancellationToken)
    {
        var name = CollectionNames.Of(collection);
        // The reference answers every food, and the newest `count` profiles.
        var answer = await V1Async($"api/v1/{name}.json?count={DocumentQueriesLimit}", cancellationToken);
        if (answer.Status == HttpStatusCode.NotFound)
        {
            return [];
        }

        EnsureRead(answer, name);
        return answer.Expect<JsonArray>(name).OfType<JsonObject>().ToList();
    }

    // More profiles or foods than any site keeps; the list is read in one request.
    private const int DocumentQueriesLimit = 100_000;

    private static string Lower(Collection collection, long? floor) => floor is { } f
        ? Bound(collection, "gt", f)
        : Bound(collection, "gte", 0);

    private static string Bound(Collection collection, string op, long ms) => collection == Collection.Entries
        ? $"find[date][${op}]={ms.ToString(CultureInfo.InvariantCulture)}"
        : $"find[created_at][${op}]={Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))}";

    private static void EnsureRead(VendorAnswer answer, string name)
    {
        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new VendorPermanentException($"The credential may not read {name} on the Nightscout server");
        }

        if (!answer.IsSuccess)
        {
            throw new HttpRequestException($"Nightscout v1 {name}: HTTP {(int)answer.Status}", null, answer.Status);
        }
    }

    private async Task<VendorAnswer> V1Async(string pathAndQuery, CancellationToken cancellationToken)
    {
        // With an access token v1 reads take it as the `token` parameter (the reference's way).
        var path = V3 ? $"{pathAndQuery}&token={Uri.EscapeDataString(_context.Settings.Token!)}" : pathAndQuery;
        using var request = NightscoutSource.Request(_context.Settings, path);
        if (!V3)
        {
            request.Headers.Add("api-secret", _session.Token);
        }

        return await VendorAnswer.SendAsync(_context, request, cancellationToken);
    }

    private async Task<VendorAnswer> V3Async(string path, string name, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = NightscoutSource.Request(_context.Settings, path);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _session.Token);
            var answer = await VendorAnswer.SendAsync(_context, request, cancellationToken);
            if (answer.Status == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // The JWT expired during a long import: exchange the access token again, once.
                _session = await _login(cancellationToken);
                continue;
            }

            if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new VendorPermanentException($"The access token may not read {name} on the Nightscout server");
            }

            if (!answer.IsSuccess)
            {
                throw new HttpRequestException($"Nightscout v3 {name} history: HTTP {(int)answer.Status}", null, answer.Status);
            }

            return answer;
        }
    }

    /// <summary>A v1 pass: <see cref="Floor"/> where it stops (exclusive), <see cref="Low"/> the edge it reached (inclusive, null before its first page), <see cref="Top"/> its newest time.</summary>
    private sealed record TimeCursor(long? Floor, long? Top, long? Low);
}
