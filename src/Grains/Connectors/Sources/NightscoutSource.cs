using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// Another Nightscout server (the reference or ours), as documented in docs/connectors/nightscout.md:
/// API v3 with an access token (JWT from /api/v2/authorization/request), incremental per collection
/// through <c>history/{lastModified}</c> including deletions; API v1 with the API secret for
/// servers without v3. Identifiers and <c>_id</c>s are kept, so a re-sync or a later migration
/// lands on the same documents.
/// </summary>
public sealed class NightscoutSource(IOptions<ConnectorOptions> options) : IConnectorSource
{
    private const int PageSize = 500;
    private const int MaxPagesPerSync = 20;
    internal const string ModeFact = "mode";

    private static readonly Collection[] Synced = [Collection.Entries, Collection.Treatments, Collection.DeviceStatus, Collection.Profile, Collection.Food];

    // Assigned by the server that stores a document; ours assigns its own.
    private static readonly string[] ServerFields = ["srvModified", "srvCreated", "isValid", "subject", "modifiedBy", "isReadOnly"];

    public string Kind => ConnectorKinds.Nightscout;

    public string Device => "nocturne-nightscout";

    public TimeSpan DataInterval => TimeSpan.FromMinutes(5);

    public TimeSpan MaxLookBack => TimeSpan.FromDays(90);

    // Gaps are the remote's lastModified cursors, not our newest documents.
    public IReadOnlyList<Collection> GapCollections { get; } = [];

    public string? Validate(ConnectorSettings settings)
    {
        if (!Uri.TryCreate(settings.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.Query))
        {
            return "url must be the http(s) address of a Nightscout site";
        }

        if (!options.Value.AllowPrivateNightscoutUrls && PrivateAddresses.IsPrivate(url))
        {
            return "url must be a public address";
        }

        return string.IsNullOrEmpty(settings.Token) && string.IsNullOrEmpty(settings.Password)
            ? "token (an access token, for API v3) or password (the API_SECRET, for API v1) is required"
            : null;
    }

    public async Task<VendorSession> LoginAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        if (!string.IsNullOrEmpty(settings.Token))
        {
            using var request = Request(settings, $"api/v2/authorization/request/{Uri.EscapeDataString(settings.Token)}");
            var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
            if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new VendorPermanentException("The Nightscout server refused the access token");
            }

            if (answer.IsSuccess && answer.Body?["token"] is JsonValue jwt && jwt.TryGetValue<string>(out var token))
            {
                DateTimeOffset? expires = answer.Body["exp"] is JsonValue e && e.TryGetValue<long>(out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;
                return new VendorSession(token, expires, new Dictionary<string, string> { [ModeFact] = "v3" });
            }

            if (answer.Status != HttpStatusCode.NotFound || string.IsNullOrEmpty(settings.Password))
            {
                throw answer.IsSuccess
                    ? new VendorProtocolException("Malformed answer to the token exchange")
                    : new HttpRequestException($"Nightscout token exchange: HTTP {(int)answer.Status}", null, answer.Status);
            }
        }

        // API v1: the SHA-1 of the API secret is the credential; check it once now.
        var secretHash = Sha1Hex(settings.Password!);
        using var check = Request(settings, "api/v1/verifyauth");
        check.Headers.Add("api-secret", secretHash);
        var verified = await VendorAnswer.SendAsync(context, check, cancellationToken);
        if (verified.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            || (verified.IsSuccess && (string?)verified.Body?["message"]?["message"] is { } message && message != "OK"))
        {
            throw new VendorPermanentException("The Nightscout server refused the API secret");
        }

        if (!verified.IsSuccess)
        {
            throw new HttpRequestException($"Nightscout verifyauth: HTTP {(int)verified.Status}", null, verified.Status);
        }

        return new VendorSession(secretHash, null, new Dictionary<string, string> { [ModeFact] = "v1" });
    }

    public async Task<SourceBatch> FetchAsync(ConnectorContext context, VendorSession session, SyncWindow window, CancellationToken cancellationToken)
    {
        var batch = new SourceBatch { Mode = WriteMode.Replace };
        foreach (var collection in Synced)
        {
            if (session.Fact(ModeFact) == "v3")
            {
                await FetchV3Async(context, session, collection, window, batch, cancellationToken);
            }
            else
            {
                await FetchV1Async(context, session, collection, window, batch, cancellationToken);
            }
        }

        return batch;
    }

    private static async Task FetchV3Async(ConnectorContext context, VendorSession session, Collection collection, SyncWindow window, SourceBatch batch, CancellationToken cancellationToken)
    {
        var name = CollectionNames.Of(collection);
        var cursorName = $"v3:{name}";
        var cursor = window.Cursors.TryGetValue(cursorName, out var stored) ? stored : window.Earliest;
        for (var page = 0; page < MaxPagesPerSync; page++)
        {
            using var request = Request(context.Settings, $"api/v3/{name}/history/{cursor.ToString(CultureInfo.InvariantCulture)}?limit={PageSize}");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.Token);
            var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
            if (answer.Status == HttpStatusCode.Unauthorized)
            {
                throw new VendorSessionExpiredException("Nightscout: HTTP 401");
            }

            if (answer.Status == HttpStatusCode.Forbidden)
            {
                throw new VendorPermanentException($"The access token may not read {name} on the Nightscout server");
            }

            if (!answer.IsSuccess)
            {
                throw new HttpRequestException($"Nightscout v3 {name} history: HTTP {(int)answer.Status}", null, answer.Status);
            }

            var result = answer.Expect<JsonObject>($"{name} history")["result"] as JsonArray ?? throw new VendorProtocolException($"Nightscout {name} history has no result array");
            foreach (var doc in result.OfType<JsonObject>())
            {
                var modified = doc["srvModified"] is JsonValue m && m.TryGetValue<long>(out var ms) ? ms
                    : throw new VendorProtocolException($"A Nightscout {name} document has no srvModified");
                cursor = Math.Max(cursor, modified);
                var identifier = (string?)doc["identifier"];
                if (doc["isValid"]?.GetValueKind() == JsonValueKind.False)
                {
                    if (identifier is not null)
                    {
                        batch.Delete(collection, identifier);
                    }

                    continue;
                }

                batch.Add(collection, Cleaned(doc));
            }

            batch.Cursors[cursorName] = cursor;
            if (result.Count < PageSize)
            {
                return;
            }
        }
    }

    private static async Task FetchV1Async(ConnectorContext context, VendorSession session, Collection collection, SyncWindow window, SourceBatch batch, CancellationToken cancellationToken)
    {
        var name = CollectionNames.Of(collection);
        var cursorName = $"v1:{name}";
        var since = window.Cursors.TryGetValue(cursorName, out var stored) ? stored : window.Earliest;
        // v1 has no modification time: read by the document's own time, newest first, as far back as the cursor.
        var (field, value) = collection switch
        {
            Collection.Entries => ("date", since.ToString(CultureInfo.InvariantCulture)),
            Collection.Profile or Collection.Food => ((string?)null, (string?)null),
            _ => ("created_at", DateTimeOffset.FromUnixTimeMilliseconds(since).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
        };
        var query = field is null ? $"?count={PageSize}" : $"?find[{field}][$gte]={Uri.EscapeDataString(value!)}&count={PageSize * MaxPagesPerSync}";
        using var request = Request(context.Settings, $"api/v1/{name}.json{query}");
        request.Headers.Add("api-secret", session.Token);
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new VendorPermanentException($"The API secret may not read {name} on the Nightscout server");
        }

        if (answer.Status == HttpStatusCode.NotFound && collection is Collection.Food)
        {
            return;
        }

        if (!answer.IsSuccess)
        {
            throw new HttpRequestException($"Nightscout v1 {name}: HTTP {(int)answer.Status}", null, answer.Status);
        }

        var newest = since;
        foreach (var doc in answer.Expect<JsonArray>(name).OfType<JsonObject>())
        {
            newest = Math.Max(newest, DocumentTime(doc) ?? newest);
            batch.Add(collection, Cleaned(doc));
        }

        batch.Cursors[cursorName] = newest;
    }

    /// <summary>A copy without the fields the storing server assigns, with a v1 document's <c>_id</c> restored from a v3 identifier.</summary>
    internal static JsonObject Cleaned(JsonObject doc)
    {
        var copy = (JsonObject)doc.DeepClone();
        foreach (var field in ServerFields)
        {
            copy.Remove(field);
        }

        // v3 shows a v1 document's _id as its identifier: keep it as the _id here too.
        if (copy["_id"] is null && (string?)copy["identifier"] is { } identifier && Documents.ObjectIds.IsValid(identifier))
        {
            copy["_id"] = identifier;
        }

        // ...and then the identifier is the _id: storing it as a field would add one the source's v1 never showed.
        if ((string?)copy["identifier"] is { } same && same == (string?)copy["_id"])
        {
            copy.Remove("identifier");
        }

        return copy;
    }

    /// <summary>An entry's <c>date</c>, else the <c>created_at</c> of any other document, in epoch ms.</summary>
    internal static long? DocumentTime(JsonObject doc) =>
        doc["date"] is JsonValue d && d.TryGetValue<long>(out var ms) ? ms
        : (string?)doc["created_at"] is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUnixTimeMilliseconds()
        : null;

    /// <summary>A request to the site's Nightscout, marked so that the connection is refused when its name resolves to a private address.</summary>
    internal static HttpRequestMessage Request(ConnectorSettings settings, string path)
    {
        var request = VendorAnswer.Json(HttpMethod.Get, Api(settings, path), null);
        request.Options.Set(ConnectorHttp.PublicOnly, true);
        return request;
    }

    internal static Uri Api(ConnectorSettings settings, string path)
    {
        var root = settings.Url!.EndsWith('/') ? settings.Url : settings.Url + "/";
        return new Uri(new Uri(root), path);
    }

#pragma warning disable CA5350 // Nightscout's wire format for the API secret.
    private static string Sha1Hex(string secret) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(secret)));
#pragma warning restore CA5350
}
