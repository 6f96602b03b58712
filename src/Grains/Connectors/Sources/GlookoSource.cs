using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;
using static Nocturne.Grains.Connectors.Sources.VendorJson;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// Glooko, as documented in docs/connectors/glooko.md: sign-in to a session cookie and the user's
/// patient code, then the v2 data endpoints page by page. Glooko writes the device's local wall
/// clock with a "Z" suffix, so times are converted with the site's configured time zone (or the
/// record's own UTC offset when it has one).
/// </summary>
public sealed class GlookoSource(IOptions<ConnectorOptions> options) : IConnectorSource
{
    public const string SessionCookie = "_logbook-web_session";
    public const string FirstGuid = "1e0c094e-1e54-4a4f-8e6a-f94484b53789";
    public const int PageSize = 500;
    private const int MaxPages = 200;
    private const string FirstUpdatedAt = "1970-01-01T00:00:00.000Z";

    // Pumps and meters upload in batches, days late: every sync reads this far back again.
    private static readonly TimeSpan Reread = TimeSpan.FromDays(3);

    private static readonly Dictionary<string, string> Servers = new(StringComparer.Ordinal)
    {
        ["us"] = "https://api.glooko.com/",
        ["eu"] = "https://eu.api.glooko.com/",
        ["ca"] = "https://ca.api.glooko.com/",
    };

    // Endpoint, the array in its answer, the collection its records go to.
    private static readonly (string Path, string Array, Collection Collection)[] Endpoints =
    [
        ("api/v2/cgm/readings", "readings", Collection.Entries),
        ("api/v2/readings", "readings", Collection.Entries),
        ("api/v2/pumps/normal_boluses", "normalBoluses", Collection.Treatments),
        ("api/v2/pumps/temporary_basals", "temporaryBasals", Collection.Treatments),
        ("api/v2/pumps/suspend_basals", "suspendBasals", Collection.Treatments),
        ("api/v2/foods", "foods", Collection.Treatments),
    ];

    private static readonly Dictionary<string, int> Trends = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DoubleUp"] = 1, ["SingleUp"] = 2, ["FortyFiveUp"] = 3, ["Flat"] = 4, ["FortyFiveDown"] = 5, ["SingleDown"] = 6, ["DoubleDown"] = 7,
        ["NotComputable"] = 8, ["RateOutOfRange"] = 9,
    };

    public string Kind => ConnectorKinds.Glooko;

    public string Device => "nocturne-glooko";

    public TimeSpan DataInterval => TimeSpan.FromMinutes(15);

    public TimeSpan MaxLookBack => TimeSpan.FromDays(180);

    public IReadOnlyList<Collection> GapCollections { get; } = [Collection.Entries];

    public string? Validate(ConnectorSettings settings) =>
        string.IsNullOrWhiteSpace(settings.Username) ? "username (the Glooko e-mail) is required"
        : string.IsNullOrEmpty(settings.Password) ? "password is required"
        : !Servers.ContainsKey(Region(settings)) ? $"region must be one of: {string.Join(", ", Servers.Keys)}"
        : LocalClock.Problem(settings.TimeZone, "Glooko");

    public async Task<VendorSession> LoginAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        var body = new
        {
            userLogin = new { email = context.Settings.Username, password = context.Settings.Password },
            deviceInformation = new { applicationType = "logbook", os = "android", osVersion = "33", device = "Nocturne", deviceManufacturer = "Nocturne", deviceModel = "Nocturne", serialNumber = "nocturne", clinicalResearch = false, deviceId = "nocturne", applicationVersion = "6.1.3", buildNumber = "0", gitHash = "nocturne" },
        };
        using var request = VendorAnswer.Json(HttpMethod.Post, new Uri(Base(context.Settings), "api/v2/users/sign_in"), body);
        request.Options.Set(ConnectorHttp.NoStatusRetry, true);
        string? cookie = null;
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken, response => cookie = SessionFrom(response));
        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity)
        {
            throw new VendorPermanentException("Glooko refused the sign-in: check the e-mail, password and region");
        }

        if (!answer.IsSuccess)
        {
            throw new HttpRequestException($"Glooko sign-in: HTTP {(int)answer.Status}", null, answer.Status);
        }

        var code = Text(answer.Expect<JsonObject>("sign-in")["userLogin"]?["glookoCode"]) ?? throw new VendorProtocolException("Glooko sign-in answer has no glookoCode");
        return new VendorSession(cookie ?? throw new VendorProtocolException($"Glooko sign-in set no {SessionCookie} cookie"), null,
            new Dictionary<string, string> { ["patient"] = code });
    }

    public async Task<SourceBatch> FetchAsync(ConnectorContext context, VendorSession session, SyncWindow window, CancellationToken cancellationToken)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(context.Settings.TimeZone!);
        var patient = string.IsNullOrWhiteSpace(context.Settings.PatientId) ? session.Fact("patient")! : context.Settings.PatientId;
        var from = window.ReadFrom(Collection.Entries, Reread);
        var to = window.Now.ToUnixTimeMilliseconds();
        var batch = new SourceBatch { Mode = WriteMode.SyncChanges };
        foreach (var (path, array, collection) in Endpoints)
        {
            var (lastGuid, lastUpdatedAt) = (FirstGuid, FirstUpdatedAt);
            for (var page = 0; ; page++)
            {
                if (page == MaxPages)
                {
                    throw new VendorProtocolException($"Glooko {path} did not finish after {MaxPages} pages");
                }

                var query = $"{path}?patient={Uri.EscapeDataString(patient)}&startDate={Uri.EscapeDataString(Local(from, zone))}&endDate={Uri.EscapeDataString(Local(to, zone))}"
                    + $"&lastGuid={Uri.EscapeDataString(lastGuid)}&lastUpdatedAt={Uri.EscapeDataString(lastUpdatedAt)}&limit={PageSize}";
                using var request = VendorAnswer.Json(HttpMethod.Get, new Uri(Base(context.Settings), query), null);
                request.Headers.Add("Cookie", session.Token);
                var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
                switch (answer.Status)
                {
                    case HttpStatusCode.Unauthorized:
                        throw new VendorSessionExpiredException("Glooko: HTTP 401");
                    case HttpStatusCode.Forbidden:
                        throw new VendorPermanentException($"Glooko: this account may not read patient {patient}");
                    case var status when !answer.IsSuccess:
                        throw new HttpRequestException($"Glooko {path}: HTTP {(int)status}", null, status);
                }

                var records = answer.Expect<JsonObject>(path)[array] as JsonArray ?? throw new VendorProtocolException($"Glooko {path} answer has no {array} array");
                foreach (var record in records)
                {
                    Map(path, record as JsonObject ?? throw new VendorProtocolException($"A Glooko {array} record is not an object"), zone, collection, batch);
                }

                if (records.Count < PageSize)
                {
                    break;
                }

                var last = (JsonObject)records[^1]!;
                (lastGuid, lastUpdatedAt) = (Text(last["guid"]) ?? throw new VendorProtocolException($"A Glooko {array} record has no guid"), Text(last["updatedAt"]) ?? lastUpdatedAt);
            }
        }

        batch.CompleteBetween(Collection.Entries, from, to);
        batch.CompleteBetween(Collection.Treatments, from, to);
        return batch;
    }

    private void Map(string path, JsonObject r, TimeZoneInfo zone, Collection collection, SourceBatch batch)
    {
        var guid = Text(r["guid"]) ?? throw new VendorProtocolException($"A Glooko record of {path} has no guid");
        var vendorId = $"{path}/{guid}";
        var (ms, offset) = Time(r, zone);
        var doc = Document(path, r, vendorId, ms, offset);
        // A record deleted in Glooko is left out: the complete read range then deletes ours (once).
        if (!IsTrue(r["softDeleted"]))
        {
            batch.Add(collection, doc);
        }
    }

    private JsonObject Document(string path, JsonObject r, string vendorId, long ms, TimeSpan offset)
    {
        switch (path)
        {
            case "api/v2/cgm/readings":
                return GlucoseEntry.Create(Device, ms, Mgdl(r), Text(r["trend"]) is { } t && Trends.TryGetValue(t, out var trend) ? trend : null);
            case "api/v2/readings":
                return ConnectorTreatment.MeterEntry(Device, vendorId, ms, Mgdl(r));
            case "api/v2/pumps/normal_boluses":
                var carbs = Number(r["carbsInput"]) ?? 0;
                var bolus = ConnectorTreatment.Create(Device, vendorId, carbs > 0 ? "Meal Bolus" : "Correction Bolus", ms, offset);
                bolus["insulin"] = ConnectorTreatment.Units(Number(r["insulinDelivered"]) ?? Number(r["deliveredUnits"]) ?? 0);
                bolus["carbs"] = carbs;
                if (Number(r["programmedUnits"]) is { } programmed)
                {
                    bolus["programmed"] = programmed;
                }

                return bolus;
            case "api/v2/pumps/temporary_basals" or "api/v2/pumps/suspend_basals":
                var suspend = path.EndsWith("suspend_basals", StringComparison.Ordinal);
                var basal = ConnectorTreatment.Create(Device, vendorId, "Temp Basal", ms, offset);
                var rate = suspend ? 0 : Number(r["rate"]) ?? throw new VendorProtocolException("A Glooko temporary basal has no rate");
                basal["absolute"] = rate;
                basal["rate"] = rate;
                basal["duration"] = Math.Round((Number(r["duration"]) ?? 0) / 60.0, 2);
                if (suspend)
                {
                    basal["reason"] = Text(r["suspendReason"]) ?? "suspend";
                }

                return basal;
            default:
                var food = ConnectorTreatment.Create(Device, vendorId, "Carb Correction", ms, offset);
                food["carbs"] = Number(r["carbs"]) ?? Number(r["carbohydrateGrams"]) ?? 0;
                foreach (var (from, into) in new[] { ("fat", "fat"), ("protein", "protein"), ("calories", "energy") })
                {
                    if (Number(r[from]) is { } value)
                    {
                        food[into] = value;
                    }
                }

                if ((Text(r["name"]) ?? Text(r["description"])) is { } name)
                {
                    food["notes"] = name;
                }

                return food;
        }
    }

    /// <summary>
    /// <c>pumpTimestamp</c> with <c>pumpTimestampUtcOffset</c> is exact; otherwise <c>timestamp</c> is the
    /// local wall clock written as UTC, converted in the configured zone (an hour that a DST change
    /// skipped is read with the offset before it; a repeated hour as standard time).
    /// </summary>
    private static (long Ms, TimeSpan Offset) Time(JsonObject r, TimeZoneInfo zone)
    {
        var wall = Text(r["pumpTimestamp"]) ?? Text(r["timestamp"]) ?? throw new VendorProtocolException("A Glooko record has no timestamp");
        if (!DateTime.TryParse(wall, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var clock))
        {
            throw new VendorProtocolException("A Glooko record has a malformed timestamp");
        }

        if (Text(r["pumpTimestampUtcOffset"]) is { } given && TimeSpan.TryParse(given.TrimStart('+', '-'), CultureInfo.InvariantCulture, out var parsed))
        {
            var offset = given.StartsWith('-') ? -parsed : parsed;
            return (new DateTimeOffset(DateTime.SpecifyKind(clock, DateTimeKind.Unspecified), offset).ToUnixTimeMilliseconds(), offset);
        }

        return LocalClock.ToUtc(clock, zone);
    }

    // What Glooko expects in startDate/endDate: the local wall clock, written as UTC.
    private static string Local(long ms, TimeZoneInfo zone) => LocalClock.Wall(ms, zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    // Glooko's v2 glucose values are mg/dL times 100.
    private static int Mgdl(JsonObject r) =>
        Number(r["value"]) is { } value and > 0 ? (int)Math.Round(value / 100, MidpointRounding.AwayFromZero) : throw new VendorProtocolException("A Glooko reading has no value");

    private static string? SessionFrom(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Select(c => c.Split(';', 2)[0].Trim()).FirstOrDefault(c => c.StartsWith(SessionCookie + "=", StringComparison.Ordinal))
            : null;

    private static string Region(ConnectorSettings settings) => string.IsNullOrWhiteSpace(settings.Region) ? "us" : settings.Region.Trim().ToLowerInvariant();

    private Uri Base(ConnectorSettings settings)
    {
        var region = Region(settings);
        return options.Value.BaseUri(Kind, region, Servers[region]);
    }
}
