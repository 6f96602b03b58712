using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;
using static Nocturne.Grains.Connectors.Sources.VendorJson;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// MiniMed CareLink (780G/770G through the CareLink cloud, as the CarePartner app reads it), as
/// documented in docs/connectors/carelink.md: the region's discovery document, an OAuth refresh
/// token obtained once by a browser login (rotated on every refresh and kept encrypted in the
/// session), the user and the patient, then the patient's monitor data: readings, markers and the
/// pump's state.
/// </summary>
public sealed class CareLinkSource(IOptions<ConnectorOptions> options) : IConnectorSource
{
    public const string DiscoveryPath = "connect/carepartner/v13/discover/android/3.6";

    private static readonly Dictionary<string, string> Discovery = new(StringComparer.Ordinal)
    {
        ["eu"] = "https://clcloud.minimed.eu/",
        ["us"] = "https://clcloud.minimed.com/",
    };

    // CareLink's arrows as Nightscout trend numbers.
    private static readonly Dictionary<string, int> Trends = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UP_TRIPLE"] = 1, ["UP_DOUBLE"] = 2, ["UP"] = 3, ["NONE"] = 4, ["DOWN"] = 5, ["DOWN_DOUBLE"] = 6, ["DOWN_TRIPLE"] = 7,
    };

    public string Kind => ConnectorKinds.CareLink;

    public string Device => "nocturne-carelink";

    public TimeSpan DataInterval => TimeSpan.FromMinutes(5);

    public TimeSpan MaxLookBack => TimeSpan.FromDays(1);

    public TimeSpan? StaleAfter => TimeSpan.FromMinutes(20);

    public IReadOnlyList<Collection> GapCollections { get; } = [Collection.Entries];

    public string? Validate(ConnectorSettings settings) =>
        !Discovery.ContainsKey(Region(settings)) ? $"region must be one of: {string.Join(", ", Discovery.Keys)}"
        : LoginData.Parse(settings.Token) is null
            ? "token must be the login data of a CareLink browser login: a JSON object with refresh_token and client_id (and client_secret, mag-identifier when the login gave them)"
        : null;

    public async Task<VendorSession> LoginAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        // The refresh token rotates: the newest one is in the previous session, the configured one is only the first.
        var login = LoginData.Parse(context.PreviousSessionToken) ?? LoginData.Parse(context.Settings.Token)!;
        var (careLink, cumulus, tokenUrl) = await DiscoverAsync(context, cancellationToken);

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = login.RefreshToken,
            ["client_id"] = login.ClientId,
        };
        if (login.ClientSecret is not null)
        {
            form["client_secret"] = login.ClientSecret;
        }

        using var refresh = new HttpRequestMessage(HttpMethod.Post, tokenUrl) { Content = new FormUrlEncodedContent(form) };
        refresh.Headers.Accept.ParseAdd("application/json");
        if (login.MagIdentifier is not null)
        {
            refresh.Headers.Add("mag-identifier", login.MagIdentifier);
        }

        refresh.Options.Set(ConnectorHttp.NoStatusRetry, true);
        var answer = await VendorAnswer.SendAsync(context, refresh, cancellationToken);
        if (answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new VendorPermanentException("CareLink refused the refresh token (expired or already used): log in with a browser again and save the new login data");
        }

        if (!answer.IsSuccess)
        {
            throw new HttpRequestException($"CareLink token refresh: HTTP {(int)answer.Status}", null, answer.Status);
        }

        var tokens = answer.Expect<JsonObject>("token refresh");
        var access = Text(tokens["access_token"]) ?? throw new VendorProtocolException("CareLink token answer has no access_token");
        var renewed = login with { AccessToken = access, RefreshToken = Text(tokens["refresh_token"]) ?? login.RefreshToken };
        DateTimeOffset? expires = Number(tokens["expires_in"]) is { } seconds ? context.Time.GetUtcNow().AddSeconds(seconds) : null;

        // Whose data: a patient reads their own; a care partner the linked patient the site names (or the first).
        var me = await GetAsync(context, access, new Uri(careLink, "patient/users/me"), "users/me", cancellationToken) as JsonObject
            ?? throw new VendorProtocolException("Malformed answer to users/me");
        var role = Text(me["role"]) ?? "PATIENT";
        var patient = Text(me["username"]) ?? throw new VendorProtocolException("CareLink users/me has no username");
        var carePartner = role.StartsWith("CARE_PARTNER", StringComparison.OrdinalIgnoreCase);
        if (carePartner)
        {
            var links = await GetAsync(context, access, new Uri(careLink, "patient/m2m/links/patients"), "linked patients", cancellationToken) as JsonArray
                ?? throw new VendorProtocolException("Malformed answer to the linked patients");
            var wanted = context.Settings.PatientId;
            patient = links.OfType<JsonObject>().Select(l => Text(l["username"])).FirstOrDefault(u => u is not null && (string.IsNullOrWhiteSpace(wanted) || u == wanted))
                ?? throw new VendorPermanentException(string.IsNullOrWhiteSpace(wanted) ? "This CareLink care partner follows no patient" : $"This CareLink care partner does not follow {wanted}");
        }

        return new VendorSession(renewed.ToJson(), expires, new Dictionary<string, string>
        {
            ["cumulus"] = cumulus.ToString(),
            ["patient"] = patient,
            ["role"] = carePartner ? "carepartner" : "patient",
        });
    }

    public async Task<SourceBatch> FetchAsync(ConnectorContext context, VendorSession session, SyncWindow window, CancellationToken cancellationToken)
    {
        var login = LoginData.Parse(session.Token) ?? throw new VendorSessionExpiredException("CareLink session unreadable");
        var patient = session.Fact("patient")!;
        using var request = VendorAnswer.Json(HttpMethod.Post, new Uri(new Uri(session.Fact("cumulus")!), "display/message"),
            new { username = patient, role = session.Fact("role"), patientId = patient });
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", login.AccessToken);
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        ThrowOnError(answer, "monitor data");
        var body = answer.Expect<JsonObject>("monitor data");
        var data = body["patientData"] as JsonObject ?? body;

        // CareLink writes the pump's local clock as if it were UTC; the pump's offset is its clock minus the server's time.
        var serverTime = Number(data["lastMedicalDeviceDataUpdateServerTime"]) is { } server and > 0 ? (long)server
            : throw new VendorProtocolException("CareLink monitor data has no lastMedicalDeviceDataUpdateServerTime");
        var pumpClock = Wall(data["sMedicalDeviceTime"]) ?? throw new VendorProtocolException("CareLink monitor data has no sMedicalDeviceTime");
        var offset = TimeSpan.FromMinutes(Math.Round((pumpClock - DateTimeOffset.FromUnixTimeMilliseconds(serverTime).UtcDateTime).TotalMinutes / 15) * 15);

        var batch = new SourceBatch { Mode = WriteMode.SyncChanges };
        var since = window.Since[Collection.Entries];
        var readings = (data["sgs"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(sg => (At: Utc(sg["datetime"] ?? sg["timestamp"], offset), Sg: Number(sg["sg"]) ?? 0, State: Text(sg["sensorState"])))
            .Where(r => r.At is not null).OrderBy(r => r.At).ToList();
        var newest = readings.LastOrDefault(r => r.Sg > 0);
        foreach (var (at, sg, state) in readings)
        {
            // sg 0 is "no reading" (warm-up, lost sensor, calibration needed): the sensor state goes to devicestatus, no entry.
            if (sg <= 0 || at!.Value <= since)
            {
                continue;
            }

            var entry = GlucoseEntry.Create(Device, at.Value, (int)Math.Round(sg),
                at == newest.At && Text(data["lastSGTrend"]) is { } t && Trends.TryGetValue(t, out var trend) ? trend : null);
            entry["noise"] = state is null or "NO_ERROR_MESSAGE" ? 1 : 4;
            batch.Add(Collection.Entries, entry);
        }

        Markers(data, offset, serverTime, batch);
        batch.Add(Collection.DeviceStatus, Status(data, serverTime, offset));
        return batch;
    }

    private void Markers(JsonObject data, TimeSpan offset, long serverTime, SourceBatch batch)
    {
        var markers = (data["markers"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(m => (Marker: m, Type: Text(m["type"]) ?? "", Wall: Text(m["dateTime"] ?? m["timestamp"]), At: Utc(m["dateTime"] ?? m["timestamp"], offset)))
            .Where(m => m.At is not null && m.Wall is not null).OrderBy(m => m.At).ToList();
        // Carbs entered in the bolus wizard come as a MEAL marker at the bolus's time.
        var meals = markers.Where(m => m.Type == "MEAL").ToDictionary(m => m.At!.Value, m => Number(m.Marker["amount"]) ?? 0);
        var usedMeals = new HashSet<long>();
        long? suspendedAt = null;
        string? suspendedWall = null;
        foreach (var (marker, type, wall, at) in markers)
        {
            var ms = at!.Value;
            var vendorId = $"{type}_{wall}";
            switch (type)
            {
                case "INSULIN":
                    var automatic = Text(marker["activationType"]) == "AUTOCORRECTION";
                    var now = Number(marker["deliveredFastAmount"]) ?? 0;
                    var extended = Number(marker["deliveredExtendedAmount"]) ?? Number(marker["programmedExtendedAmount"]) ?? 0;
                    var carbs = !automatic && meals.TryGetValue(ms, out var mealCarbs) ? mealCarbs : 0;
                    if (carbs > 0)
                    {
                        usedMeals.Add(ms);
                    }

                    var bolus = ConnectorTreatment.Create(Device, vendorId, extended > 0 ? "Combo Bolus" : carbs > 0 ? "Meal Bolus" : "Correction Bolus", ms, offset);
                    bolus["insulin"] = ConnectorTreatment.Units(now);
                    bolus["carbs"] = carbs;
                    if (automatic)
                    {
                        bolus["automatic"] = true;
                        bolus["notes"] = "SmartGuard auto correction";
                    }

                    if (extended > 0)
                    {
                        var minutes = Number(marker["effectiveDuration"]) ?? Number(marker["programmedDuration"]) ?? 0;
                        bolus["enteredinsulin"] = ConnectorTreatment.Units(now + extended);
                        bolus["splitNow"] = Math.Round(100 * now / (now + extended));
                        bolus["splitExt"] = Math.Round(100 * extended / (now + extended));
                        bolus["duration"] = minutes;
                        bolus["relative"] = minutes > 0 ? Math.Round(extended / (minutes / 60), 3) : 0;
                    }

                    batch.Add(Collection.Treatments, bolus);
                    break;
                case "AUTO_BASAL_DELIVERY":
                    // SmartGuard delivers basal as a micro-bolus every five minutes: that rate for five minutes.
                    var basal = ConnectorTreatment.Create(Device, vendorId, "Temp Basal", ms, offset);
                    var rate = Math.Round((Number(marker["bolusAmount"]) ?? 0) * 12, 3);
                    basal["absolute"] = rate;
                    basal["rate"] = rate;
                    basal["duration"] = 5;
                    basal["automatic"] = true;
                    batch.Add(Collection.Treatments, basal);
                    break;
                case "LOW_GLUCOSE_SUSPENDED" when IsTrue(marker["deliverySuspended"]):
                    (suspendedAt, suspendedWall) = (suspendedAt ?? ms, suspendedWall ?? wall);
                    break;
                case "LOW_GLUCOSE_SUSPENDED":
                    if (suspendedAt is { } start)
                    {
                        batch.Add(Collection.Treatments, Suspend(suspendedWall!, start, ms, offset));
                        (suspendedAt, suspendedWall) = (null, null);
                    }

                    break;
            }
        }

        // Still suspended: a temp basal of zero up to the pump's last report; later syncs lengthen it (same identifier).
        if (suspendedAt is { } open)
        {
            batch.Add(Collection.Treatments, Suspend(suspendedWall!, open, Math.Max(serverTime, open), offset));
        }

        foreach (var (marker, type, wall, at) in markers.Where(m => m.Type == "MEAL" && !usedMeals.Contains(m.At!.Value)))
        {
            var carbs = ConnectorTreatment.Create(Device, $"{type}_{wall}", "Carb Correction", at!.Value, offset);
            carbs["carbs"] = Number(marker["amount"]) ?? 0;
            batch.Add(Collection.Treatments, carbs);
        }
    }

    private JsonObject Suspend(string wall, long from, long to, TimeSpan offset)
    {
        var suspend = ConnectorTreatment.Create(Device, $"LOW_GLUCOSE_SUSPENDED_{wall}", "Temp Basal", from, offset);
        suspend["absolute"] = 0;
        suspend["rate"] = 0;
        suspend["duration"] = Math.Round((to - from) / 60_000.0, 2);
        suspend["reason"] = "suspend";
        return suspend;
    }

    private JsonObject Status(JsonObject data, long serverTime, TimeSpan offset)
    {
        var shield = Text(data["therapyAlgorithmState"]?["autoModeShieldState"]);
        var automatic = shield is "AUTO_BASAL" or "SAFE_BASAL";
        var suspended = IsTrue(data["medicalDeviceSuspended"]);
        return new JsonObject
        {
            ["device"] = Device,
            ["created_at"] = ConnectorTreatment.Time(serverTime, offset),
            ["identifier"] = ConnectorTreatment.Identifier(Device, $"devicestatus_{serverTime}"),
            ["pump"] = new JsonObject
            {
                ["clock"] = ConnectorTreatment.Time(serverTime, offset),
                ["battery"] = new JsonObject { ["percent"] = Number(data["medicalDeviceBatteryLevelPercent"]) },
                ["reservoir"] = Number(data["reservoirRemainingUnits"]) ?? Number(data["reservoirAmount"]),
                ["iob"] = new JsonObject { ["bolusiob"] = Number(data["activeInsulin"]?["amount"]), ["timestamp"] = ConnectorTreatment.Time(serverTime, offset) },
                ["status"] = new JsonObject { ["status"] = suspended ? "suspended" : "normal", ["suspended"] = suspended, ["timestamp"] = ConnectorTreatment.Time(serverTime, offset) },
                ["mode"] = automatic ? "automatic" : "manual",
                ["extended"] = new JsonObject
                {
                    ["PumpMode"] = automatic ? (shield == "SAFE_BASAL" ? "SmartGuard (safe basal)" : "SmartGuard") : "Manual",
                    ["AutoModeShieldState"] = shield,
                    ["SensorState"] = Text(data["sensorState"]),
                    ["CalibrationStatus"] = Text(data["calibStatus"]),
                    ["SensorDurationHours"] = Number(data["sensorDurationHours"]),
                    ["TimeToNextCalibrationHours"] = Number(data["timeToNextCalibHours"]),
                    ["PumpModel"] = Text(data["pumpModelNumber"]),
                },
            },
            ["uploader"] = new JsonObject { ["battery"] = Number(data["conduitBatteryLevel"]), ["name"] = "CareLink" },
        };
    }

    private static void ThrowOnError(VendorAnswer answer, string what)
    {
        switch (answer.Status)
        {
            case HttpStatusCode.Unauthorized:
                throw new VendorSessionExpiredException($"CareLink {what}: HTTP 401");
            case HttpStatusCode.Forbidden:
                throw new VendorPermanentException($"CareLink refused {what}: this account may not read that patient");
            case var status when !answer.IsSuccess:
                throw new HttpRequestException($"CareLink {what}: HTTP {(int)status}", null, status);
        }
    }

    private async Task<(Uri CareLink, Uri Cumulus, Uri TokenUrl)> DiscoverAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        var region = Region(context.Settings);
        using var request = VendorAnswer.Json(HttpMethod.Get, new Uri(Root(region), DiscoveryPath), null);
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        ThrowOnError(answer, "discovery");
        var entry = (answer.Expect<JsonObject>("discovery")["CP"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(cp => string.Equals(Text(cp["region"]), region, StringComparison.OrdinalIgnoreCase))
            ?? throw new VendorProtocolException($"CareLink discovery has no entry for region {region}");
        var careLink = Url(entry["baseUrlCareLink"]) ?? throw new VendorProtocolException("CareLink discovery has no baseUrlCareLink");
        var cumulus = Url(entry["baseUrlCumulus"]) ?? throw new VendorProtocolException("CareLink discovery has no baseUrlCumulus");
        var ssoUrl = Url(entry["Auth0SSOConfiguration"] ?? entry["SSOConfiguration"]) ?? throw new VendorProtocolException("CareLink discovery has no SSO configuration");

        using var ssoRequest = VendorAnswer.Json(HttpMethod.Get, ssoUrl, null);
        var sso = await VendorAnswer.SendAsync(context, ssoRequest, cancellationToken);
        ThrowOnError(sso, "SSO configuration");
        var config = sso.Expect<JsonObject>("SSO configuration");
        var host = Text(config["server"]?["hostname"]) ?? throw new VendorProtocolException("CareLink SSO configuration has no server hostname");
        var port = Number(config["server"]?["port"]) is { } p ? (int)p : 443;
        var prefix = (Text(config["server"]?["prefix"]) ?? "").Trim('/');
        var path = (Text(config["system_endpoints"]?["token_endpoint_path"]) ?? "oauth/token").TrimStart('/');
        var scheme = ssoUrl.Scheme;
        var token = new Uri($"{scheme}://{host}:{port}/{(prefix.Length == 0 ? "" : prefix + "/")}{path}");
        return (careLink, cumulus, token);
    }

    private static async Task<JsonNode?> GetAsync(ConnectorContext context, string access, Uri uri, string what, CancellationToken cancellationToken)
    {
        using var request = VendorAnswer.Json(HttpMethod.Get, uri, null);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        ThrowOnError(answer, what);
        return answer.Body;
    }

    private static Uri? Url(JsonNode? node) => Text(node) is { } text && Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>A CareLink time: the pump's wall clock, whatever offset it is labelled with.</summary>
    private static DateTime? Wall(JsonNode? node) =>
        Text(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.DateTime : null;

    private static long? Utc(JsonNode? node, TimeSpan offset) =>
        Wall(node) is { } wall ? new DateTimeOffset(DateTime.SpecifyKind(wall, DateTimeKind.Unspecified), offset).ToUnixTimeMilliseconds() : null;

    private static string Region(ConnectorSettings settings) => string.IsNullOrWhiteSpace(settings.Region) ? "eu" : settings.Region.Trim().ToLowerInvariant();

    private Uri Root(string region) => options.Value.BaseUri(Kind, region, Discovery[region]);

    /// <summary>What a browser login leaves (the CareLink app's OAuth client and its refresh token), plus the current access token.</summary>
    private sealed record LoginData(string RefreshToken, string ClientId, string? ClientSecret, string? MagIdentifier, string? AccessToken)
    {
        public static LoginData? Parse(string? json)
        {
            if (string.IsNullOrWhiteSpace(json))
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(json) is JsonObject o && Text(o["refresh_token"]) is { } refresh && Text(o["client_id"]) is { } client
                    ? new LoginData(refresh, client, Text(o["client_secret"]), Text(o["mag-identifier"]), Text(o["access_token"]))
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        public string ToJson() => new JsonObject
        {
            ["refresh_token"] = RefreshToken,
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["mag-identifier"] = MagIdentifier,
            ["access_token"] = AccessToken,
        }.ToJsonString();
    }
}
