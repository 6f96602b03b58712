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
/// LibreLinkUp (the follower cloud of the FreeStyle Libre apps), as documented in
/// docs/connectors/librelinkup.md: login (possibly redirected to the account's region), the
/// connections (one per followed patient), and each patient's graph (about 12 hours).
/// </summary>
public sealed class LibreLinkUpSource(IOptions<ConnectorOptions> options) : IConnectorSource
{
    public const string Product = "llu.android";
    public const string Version = "4.16.0";
    private const string GlobalRegion = "global";

    private static readonly string[] Regions = ["global", "ae", "ap", "au", "ca", "cn", "de", "eu", "eu2", "fr", "jp", "la", "ru", "us"];

    // LibreLinkUp's arrows (1 falling fast .. 5 rising fast) as Nightscout trend numbers.
    private static readonly int[] Trends = [0, 6, 5, 4, 3, 2];

    public string Kind => ConnectorKinds.LibreLinkUp;

    public string Device => "nocturne-librelinkup";

    public TimeSpan DataInterval => TimeSpan.FromMinutes(5);

    public TimeSpan MaxLookBack => TimeSpan.FromHours(12);

    public IReadOnlyList<Collection> GapCollections { get; } = [Collection.Entries];

    public string? Validate(ConnectorSettings settings) =>
        string.IsNullOrWhiteSpace(settings.Username) ? "username (the LibreLinkUp e-mail) is required"
        : string.IsNullOrEmpty(settings.Password) ? "password is required"
        : !Regions.Contains(Region(settings)) ? $"region must be one of: {string.Join(", ", Regions)}"
        : null;

    public async Task<VendorSession> LoginAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        var region = Region(context.Settings);
        // One redirect is the protocol; a second one would be a loop.
        for (var hop = 0; hop < 2; hop++)
        {
            using var request = Request(HttpMethod.Post, region, "llu/auth/login", null, new { email = context.Settings.Username, password = context.Settings.Password });
            request.Options.Set(ConnectorHttp.NoStatusRetry, true);
            var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
            if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new VendorPermanentException("LibreLinkUp refused the login: check the e-mail and password");
            }

            var body = Checked(answer, "login");
            var data = body["data"] as JsonObject;
            if (data?["redirect"]?.GetValueKind() == JsonValueKind.True)
            {
                region = (string?)data["region"] is { Length: > 0 } next && Regions.Contains(next)
                    ? next
                    : throw new VendorProtocolException("LibreLinkUp redirected to an unknown region");
                continue;
            }

            var userId = (string?)data?["user"]?["id"] ?? throw new VendorProtocolException("LibreLinkUp login answer has no user id");
            var token = (string?)data!["authTicket"]?["token"] ?? throw new VendorProtocolException("LibreLinkUp login answer has no token");
            DateTimeOffset? expires = data["authTicket"]?["expires"] is JsonValue e && e.TryGetValue<long>(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
            var facts = new Dictionary<string, string>
            {
                ["region"] = region,
                ["accountId"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId))),
            };
            return new VendorSession(token, expires, facts);
        }

        throw new VendorProtocolException("LibreLinkUp redirected more than once");
    }

    public async Task<SourceBatch> FetchAsync(ConnectorContext context, VendorSession session, SyncWindow window, CancellationToken cancellationToken)
    {
        var region = session.Fact("region") ?? Region(context.Settings);
        var connections = Checked(await GetAsync(context, session, region, "llu/connections", cancellationToken), "connections")["data"] as JsonArray
            ?? throw new VendorProtocolException("LibreLinkUp connections answer has no data array");
        if (connections.Count == 0)
        {
            throw new VendorPermanentException("This LibreLinkUp account follows nobody: share the sensor with it in the LibreLink app");
        }

        var wanted = context.Settings.PatientId;
        var connection = (string.IsNullOrWhiteSpace(wanted)
            ? connections[0]
            : connections.FirstOrDefault(c => (string?)c?["patientId"] == wanted)) as JsonObject
            ?? throw new VendorPermanentException($"This LibreLinkUp account does not follow patient {wanted}");
        var patientId = (string?)connection["patientId"] ?? throw new VendorProtocolException("A LibreLinkUp connection has no patientId");

        var graph = Checked(await GetAsync(context, session, region, $"llu/connections/{Uri.EscapeDataString(patientId)}/graph", cancellationToken), "graph");
        var since = window.Since[Collection.Entries];
        var batch = new SourceBatch();
        var readings = new Dictionary<long, JsonObject>();
        if (graph["data"]?["graphData"] is JsonArray graphData)
        {
            foreach (var point in graphData.OfType<JsonObject>())
            {
                Add(point, withTrend: false);
            }
        }

        // The latest measurement comes with the only trend arrow; it wins over a graph point at the same time.
        if ((graph["data"]?["connection"]?["glucoseMeasurement"] ?? connection["glucoseMeasurement"]) is JsonObject latest)
        {
            Add(latest, withTrend: true);
        }

        foreach (var entry in readings.Values.OrderBy(e => (long)e["date"]!))
        {
            batch.Add(Collection.Entries, entry);
        }

        return batch;

        void Add(JsonObject point, bool withTrend)
        {
            var date = FactoryTime(point) ?? throw new VendorProtocolException("A LibreLinkUp measurement has no FactoryTimestamp");
            var value = point["ValueInMgPerDl"] is JsonValue v && v.TryGetValue<double>(out var mgdl) ? (int)Math.Round(mgdl)
                : throw new VendorProtocolException("A LibreLinkUp measurement has no ValueInMgPerDl");
            if (date > since)
            {
                int? trend = withTrend && point["TrendArrow"] is JsonValue t && t.TryGetValue<int>(out var arrow) && arrow is >= 1 and <= 5 ? Trends[arrow] : null;
                readings[date] = GlucoseEntry.Create(Device, date, value, trend);
            }
        }
    }

    private async Task<VendorAnswer> GetAsync(ConnectorContext context, VendorSession session, string region, string path, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, region, path, session, null);
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        if (answer.Status == HttpStatusCode.Unauthorized)
        {
            throw new VendorSessionExpiredException("LibreLinkUp: HTTP 401");
        }

        return answer;
    }

    private HttpRequestMessage Request(HttpMethod method, string region, string path, VendorSession? session, object? body)
    {
        var request = VendorAnswer.Json(method, new Uri(Base(region), path), body);
        request.Headers.Add("product", Product);
        request.Headers.Add("version", Version);
        request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        if (session is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.Token);
            request.Headers.Add("Account-Id", session.Fact("accountId"));
        }

        return request;
    }

    // LibreLinkUp answers HTTP 200 with a status in the body; 0 is success.
    private static JsonObject Checked(VendorAnswer answer, string what)
    {
        if (!answer.IsSuccess)
        {
            throw new HttpRequestException($"LibreLinkUp {what}: HTTP {(int)answer.Status}", null, answer.Status);
        }

        var body = answer.Expect<JsonObject>(what);
        var status = body["status"] is JsonValue s && s.TryGetValue<int>(out var number) ? number : -1;
        switch (status)
        {
            case 0:
                return body;
            case 2:
                throw new VendorPermanentException("LibreLinkUp refused the login: check the e-mail and password");
            case 4:
                var step = (string?)body["data"]?["step"]?["type"] ?? "a step";
                throw new VendorPermanentException($"LibreLinkUp needs the user to accept {(step == "tou" ? "the terms of use" : step == "pp" ? "the privacy policy" : step)} in the LibreLinkUp app");
            case 429:
                throw new VendorPermanentException("LibreLinkUp locked the account after too many attempts; wait, then reconfigure");
            default:
                var message = (string?)body["error"]?["message"];
                if (message == "notAuthenticated")
                {
                    throw new VendorSessionExpiredException("LibreLinkUp: notAuthenticated");
                }

                throw new VendorProtocolException($"LibreLinkUp {what}: status {status}{(message is null ? "" : " " + message)}");
        }
    }

    /// <summary>FactoryTimestamp is UTC ("11/29/2026 1:05:00 PM"); Timestamp is the phone's local time and is not used.</summary>
    private static long? FactoryTime(JsonObject point) =>
        (string?)point["FactoryTimestamp"] is { } text
        && DateTime.TryParseExact(text, ["M/d/yyyy h:mm:ss tt", "M/d/yyyy H:mm:ss"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc)
            ? new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds()
            : null;

    private static string Region(ConnectorSettings settings) => string.IsNullOrWhiteSpace(settings.Region) ? GlobalRegion : settings.Region.Trim().ToLowerInvariant();

    private Uri Base(string region)
    {
        return options.Value.BaseUri(Kind, region, region == GlobalRegion ? "https://api.libreview.io/" : $"https://api-{region}.libreview.io/");
    }
}
