using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;
using static Nocturne.Grains.Connectors.Sources.VendorJson;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// Tidepool, as documented in docs/connectors/tidepool.md: basic-auth login whose session token
/// comes back in a response header, then <c>/data/{userId}</c> by type, for the account itself or
/// for a user who shared their data with it (a clinician account).
/// </summary>
public sealed class TidepoolSource(IOptions<ConnectorOptions> options) : IConnectorSource
{
    public const string SessionHeader = "x-tidepool-session-token";
    private const string Types = "cbg,smbg,bolus,basal,wizard,food,pumpSettings,physicalActivity";

    // Pump uploads arrive hours or days late and can be corrected: every sync reads this far back again.
    private static readonly TimeSpan Reread = TimeSpan.FromDays(2);

    private static readonly Dictionary<string, string> Servers = new(StringComparer.Ordinal)
    {
        ["us"] = "https://api.tidepool.org/",
    };

    public string Kind => ConnectorKinds.Tidepool;

    public string Device => "nocturne-tidepool";

    public TimeSpan DataInterval => TimeSpan.FromMinutes(5);

    public TimeSpan MaxLookBack => TimeSpan.FromDays(30);

    public IReadOnlyList<Collection> GapCollections { get; } = [Collection.Entries];

    public string? Validate(ConnectorSettings settings) =>
        string.IsNullOrWhiteSpace(settings.Username) ? "username (the Tidepool e-mail) is required"
        : string.IsNullOrEmpty(settings.Password) ? "password is required"
        : !Servers.ContainsKey(Region(settings)) ? $"region must be one of: {string.Join(", ", Servers.Keys)}"
        : null;

    public async Task<VendorSession> LoginAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        using var request = VendorAnswer.Json(HttpMethod.Post, new Uri(Base(context.Settings), "auth/login"), null);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{context.Settings.Username}:{context.Settings.Password}")));
        request.Options.Set(ConnectorHttp.NoStatusRetry, true);
        var (answer, token) = await SendAsync(context, request, cancellationToken);
        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new VendorPermanentException("Tidepool refused the login: check the e-mail and password");
        }

        if (!answer.IsSuccess)
        {
            throw new HttpRequestException($"Tidepool login: HTTP {(int)answer.Status}", null, answer.Status);
        }

        var userId = (string?)answer.Expect<JsonObject>("login")["userid"] ?? throw new VendorProtocolException("Tidepool login answer has no userid");
        return new VendorSession(token ?? throw new VendorProtocolException($"Tidepool login answer has no {SessionHeader} header"), null,
            new Dictionary<string, string> { ["userId"] = userId });
    }

    public async Task<SourceBatch> FetchAsync(ConnectorContext context, VendorSession session, SyncWindow window, CancellationToken cancellationToken)
    {
        var userId = string.IsNullOrWhiteSpace(context.Settings.PatientId) ? session.Fact("userId")! : context.Settings.PatientId;
        var now = window.Now.ToUnixTimeMilliseconds();
        var from = window.ReadFrom(Collection.Entries, Reread);
        var query = $"data/{Uri.EscapeDataString(userId)}?type={Types}&startDate={Uri.EscapeDataString(VendorJson.IsoUtc(from))}";
        using var request = VendorAnswer.Json(HttpMethod.Get, new Uri(Base(context.Settings), query), null);
        request.Headers.Add(SessionHeader, session.Token);
        var (answer, _) = await SendAsync(context, request, cancellationToken);
        switch (answer.Status)
        {
            case HttpStatusCode.Unauthorized:
                throw new VendorSessionExpiredException("Tidepool: HTTP 401");
            case HttpStatusCode.Forbidden or HttpStatusCode.NotFound:
                throw new VendorPermanentException($"Tidepool: this account may not read the data of user {userId} (not shared with it)");
            case var status when !answer.IsSuccess:
                throw new HttpRequestException($"Tidepool data: HTTP {(int)status}", null, status);
        }

        var data = answer.Expect<JsonArray>("data").Select(d => d as JsonObject ?? throw new VendorProtocolException("A Tidepool datum is not an object")).ToList();
        var batch = new SourceBatch { Mode = WriteMode.SyncChanges };
        // Carbs entered in the bolus calculator belong to the bolus it started.
        var wizardCarbs = data.Where(d => Type(d) == "wizard" && (string?)d["bolus"] is not null)
            .GroupBy(d => (string)d["bolus"]!).ToDictionary(g => g.Key, g => g.Sum(w => Number(w["carbInput"]) ?? 0));
        var bolusIds = data.Where(d => Type(d) == "bolus").Select(d => (string?)d["id"]).ToHashSet();
        foreach (var datum in data)
        {
            Map(datum, wizardCarbs, bolusIds, batch);
        }

        batch.CompleteBetween(Collection.Treatments, from, now);
        return batch;
    }

    private void Map(JsonObject d, Dictionary<string, double> wizardCarbs, HashSet<string?> bolusIds, SourceBatch batch)
    {
        var id = (string?)d["id"] ?? throw new VendorProtocolException("A Tidepool datum has no id");
        var ms = Time(d);
        var offset = d["timezoneOffset"] is JsonValue o && o.TryGetValue<double>(out var minutes) ? TimeSpan.FromMinutes(minutes) : (TimeSpan?)null;
        switch (Type(d))
        {
            case "cbg":
                batch.Add(Collection.Entries, GlucoseEntry.Create(Device, ms, Mgdl(d["value"], (string?)d["units"]), null));
                break;
            case "smbg":
                batch.Add(Collection.Entries, ConnectorTreatment.MeterEntry(Device, id, ms, Mgdl(d["value"], (string?)d["units"])));
                break;
            case "bolus":
                batch.Add(Collection.Treatments, Bolus(d, id, ms, offset, wizardCarbs.GetValueOrDefault(id)));
                break;
            case "basal" when (string?)d["deliveryType"] is "temp" or "suspend" or "automated":
                var basal = ConnectorTreatment.Create(Device, id, "Temp Basal", ms, offset);
                var rate = (string?)d["deliveryType"] == "suspend" ? 0 : Number(d["rate"]) ?? throw new VendorProtocolException("A Tidepool temp basal has no rate");
                basal["absolute"] = rate;
                basal["rate"] = rate;
                basal["duration"] = Math.Round((Number(d["duration"]) ?? 0) / 60_000.0, 2);
                if ((string?)d["deliveryType"] == "suspend")
                {
                    basal["reason"] = "suspend";
                }

                batch.Add(Collection.Treatments, basal);
                break;
            case "wizard" when (string?)d["bolus"] is not { } bolus || !bolusIds.Contains(bolus):
                if (Number(d["carbInput"]) is > 0 and var wizardOnly)
                {
                    var carbs = ConnectorTreatment.Create(Device, id, "Carb Correction", ms, offset);
                    carbs["carbs"] = wizardOnly;
                    batch.Add(Collection.Treatments, carbs);
                }

                break;
            case "food":
                var food = ConnectorTreatment.Create(Device, id, "Carb Correction", ms, offset);
                food["carbs"] = Number(d["nutrition"]?["carbohydrate"]?["net"]) ?? Number(d["nutrition"]?["carbohydrate"]?["total"]) ?? 0;
                if ((string?)d["name"] is { } name)
                {
                    food["notes"] = name;
                }

                batch.Add(Collection.Treatments, food);
                break;
            case "physicalActivity":
                var exercise = ConnectorTreatment.Create(Device, id, "Exercise", ms, offset);
                exercise["duration"] = ActivityMinutes(d["duration"]);
                exercise["notes"] = string.Join(", ", new[] { (string?)d["name"], (string?)d["reportedIntensity"] }.Where(s => !string.IsNullOrEmpty(s)));
                batch.Add(Collection.Treatments, exercise);
                break;
            case "pumpSettings":
                batch.Add(Collection.Profile, Profile(d, id, ms, offset));
                break;
        }
    }

    private JsonObject Bolus(JsonObject d, string id, long ms, TimeSpan? offset, double carbs)
    {
        var now = Number(d["normal"]) ?? 0;
        var extended = Number(d["extended"]) ?? 0;
        var treatment = ConnectorTreatment.Create(Device, id, extended > 0 ? "Combo Bolus" : carbs > 0 ? "Meal Bolus" : "Correction Bolus", ms, offset);
        treatment["insulin"] = ConnectorTreatment.Units(now);
        if (extended > 0)
        {
            // Nightscout's combo bolus: insulin is the part given now; the rest runs over duration at relative U/h.
            var minutes = (Number(d["duration"]) ?? 0) / 60_000.0;
            var total = now + extended;
            treatment["enteredinsulin"] = ConnectorTreatment.Units(total);
            treatment["splitNow"] = Math.Round(100 * now / total);
            treatment["splitExt"] = Math.Round(100 * extended / total);
            treatment["duration"] = Math.Round(minutes, 2);
            treatment["relative"] = minutes > 0 ? Math.Round(extended / (minutes / 60), 3) : 0;
        }

        if (carbs > 0)
        {
            treatment["carbs"] = carbs;
        }

        return treatment;
    }

    private JsonObject Profile(JsonObject d, string id, long ms, TimeSpan? offset)
    {
        var active = (string?)d["activeSchedule"] ?? "Default";
        var bgUnits = (string?)d["units"]?["bg"];
        var store = new JsonObject();
        var names = (d["basalSchedules"] as JsonObject)?.Select(p => p.Key).ToList() ?? [];
        if (names.Count == 0)
        {
            names.Add(active);
        }

        foreach (var name in names)
        {
            store[name] = new JsonObject
            {
                ["dia"] = d["insulinModel"]?["actionDuration"] is JsonValue dia && dia.TryGetValue<double>(out var diaMs) ? Math.Round(diaMs / 3_600_000.0, 2) : 3,
                ["basal"] = Schedule(d["basalSchedules"]?[name], "rate", null),
                ["carbratio"] = Schedule(ByName(d, "carbRatios", "carbRatio", name), "amount", null),
                ["sens"] = Schedule(ByName(d, "insulinSensitivities", "insulinSensitivity", name), "amount", bgUnits),
                ["target_low"] = Schedule(ByName(d, "bgTargets", "bgTarget", name), "low", bgUnits, "target"),
                ["target_high"] = Schedule(ByName(d, "bgTargets", "bgTarget", name), "high", bgUnits, "target"),
                ["units"] = "mg/dl",
                ["timezone"] = (string?)d["timezone"] ?? Etc(offset),
            };
        }

        return new JsonObject
        {
            ["defaultProfile"] = store.ContainsKey(active) ? active : names[0],
            ["startDate"] = ConnectorTreatment.Time(ms, null),
            ["created_at"] = ConnectorTreatment.Time(ms, null),
            ["units"] = "mg/dl",
            ["store"] = store,
            ["device"] = Device,
            ["enteredBy"] = Device,
            ["identifier"] = ConnectorTreatment.Identifier(Device, id),
        };
    }

    // Settings come either per schedule name (carbRatios: {name: [...]}) or as one list (carbRatio: [...]).
    private static JsonNode? ByName(JsonObject d, string perName, string single, string name) => d[perName]?[name] ?? d[single];

    private static JsonArray Schedule(JsonNode? segments, string field, string? bgUnits, string? fallback = null)
    {
        var schedule = new JsonArray();
        foreach (var segment in (segments as JsonArray ?? []).OfType<JsonObject>().OrderBy(s => Number(s["start"]) ?? 0))
        {
            var seconds = (int)((Number(segment["start"]) ?? 0) / 1000);
            var value = Number(segment[field]) ?? (fallback is null ? null : Number(segment[fallback]));
            if (value is not { } v)
            {
                continue;
            }

            schedule.Add(new JsonObject
            {
                ["time"] = $"{seconds / 3600:00}:{seconds / 60 % 60:00}",
                ["timeAsSeconds"] = seconds,
                ["value"] = bgUnits is null ? v : bgUnits.StartsWith("mmol", StringComparison.OrdinalIgnoreCase) ? ConnectorTreatment.MgdlFromMmol(v) : Math.Round(v),
            });
        }

        return schedule;
    }

    private static double ActivityMinutes(JsonNode? duration)
    {
        var value = Number(duration?["value"]) ?? 0;
        return (string?)duration?["units"] switch
        {
            "seconds" => Math.Round(value / 60, 2),
            "hours" => value * 60,
            _ => value,
        };
    }

    private static string Etc(TimeSpan? offset) =>
        offset is { } o && o.Minutes == 0 && o != TimeSpan.Zero ? $"Etc/GMT{(o < TimeSpan.Zero ? "+" : "-")}{Math.Abs(o.Hours)}" : "UTC";

    private static int Mgdl(JsonNode? value, string? units)
    {
        var v = Number(value) ?? throw new VendorProtocolException("A Tidepool glucose datum has no value");
        return units is not null && units.StartsWith("mmol", StringComparison.OrdinalIgnoreCase) ? ConnectorTreatment.MgdlFromMmol(v) : (int)Math.Round(v);
    }

    private static string? Type(JsonObject d) => (string?)d["type"];

    private static long Time(JsonObject d) => VendorJson.Time(d["time"]) ?? throw new VendorProtocolException("A Tidepool datum has no time");


    private static async Task<(VendorAnswer Answer, string? Token)> SendAsync(ConnectorContext context, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? token = null;
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken, response =>
            token = response.Headers.TryGetValues(SessionHeader, out var values) ? values.FirstOrDefault() : null);
        return (answer, token);
    }

    private static string Region(ConnectorSettings settings) => string.IsNullOrWhiteSpace(settings.Region) ? "us" : settings.Region.Trim().ToLowerInvariant();

    private Uri Base(ConnectorSettings settings)
    {
        var region = Region(settings);
        return options.Value.BaseUri(Kind, region, Servers[region]);
    }
}
