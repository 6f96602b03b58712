using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Api.Authorization;
using Nocturne.Api.Documents;
using Nocturne.Api.Errors;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// API v2 additions: <c>/properties</c> (plugin values from the patient grain's live state),
/// <c>/ddata/at/{time}</c> (the data set around a moment) and <c>/summary</c>.
/// </summary>
public static class V2Api
{
    private static readonly TimeSpan DdataSpan = TimeSpan.FromHours(48);

    public static IEndpointRouteBuilder MapV2Api(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v2").WithTags("API v2");

        // Typed as a delegate returning IResult: a bare HttpContext lambda would bind as a RequestDelegate, whose result is never executed.
        group.MapGet("/properties", (Func<HttpContext, Task<IResult>>)(http => PropertiesAsync(http, null)))
            .RequirePermission("api:entries:read", "api:treatments:read");
        group.MapGet("/properties/{names}", (string names, HttpContext http) => PropertiesAsync(http, names))
            .RequirePermission("api:entries:read", "api:treatments:read");

        group.MapGet("/ddata/at/{at?}", async (string? at, HttpContext http, DocumentQueries queries, TimeProvider time) =>
        {
            var moment = time.GetUtcNow();
            if (at is not null)
            {
                if (double.TryParse(at, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && DocumentTime.ToMilliseconds(ms) is { } epochMs)
                {
                    moment = DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
                }
                else if (!DocumentTime.TryParse(at, out moment))
                {
                    return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", $"'{at}' is not a time");
                }

                // The window reaches days either side: keep well inside what a date can hold.
                if (moment.Year is < 1970 or > 9000)
                {
                    return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", $"'{at}' is out of range");
                }
            }

            return V1Responses.Json((await DdataAsync(http.Site().SiteId, queries, moment, http.RequestAborted)).ToJsonString());
        }).RequirePermission("api:entries:read", "api:treatments:read");

        group.MapGet("/summary", async (HttpContext http, DocumentQueries queries, IGrainFactory grains, TimeProvider time) =>
        {
            var hoursText = http.Request.Query["hours"].ToString();
            var hours = 6.0;
            if (hoursText.Length > 0 && (!double.TryParse(hoursText, NumberStyles.Float, CultureInfo.InvariantCulture, out hours) || hours <= 0 || hours > 48))
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "hours must be a number between 0 and 48");
            }

            return V1Responses.Json((await SummaryAsync(http.Site().SiteId, queries, grains, time.GetUtcNow(), hours, http.RequestAborted)).ToJsonString());
        }).RequirePermission("api:*:read");

        return app;
    }

    private static async Task<IResult> PropertiesAsync(HttpContext http, string? names)
    {
        var wanted = names?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        // One grain call: the patient grain answers with the alarm state (alarms) it keeps, in UTF-8.
        if (await http.Site().Grains.Documents.GetPropertiesAnswerAsync(wanted) is not { } answer)
        {
            return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
        }

        // ?pretty asks for indentation, as the reference allows.
        return http.Request.Query.ContainsKey("pretty")
            ? V1Responses.Json(JsonNode.Parse(answer.Utf8Json)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }))
            : V1Responses.Json(answer.Utf8Json);
    }

    private static async Task<JsonObject> DdataAsync(string site, DocumentQueries queries, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var to = at.ToUnixTimeMilliseconds();
        var from = (at - DdataSpan).ToUnixTimeMilliseconds();
        var entries = await queries.FindAsync(site, Between(Collection.Entries, "date", from, to, DocumentQueries.MaxLimit), cancellationToken);
        var treatments = await queries.FindAsync(site, Between(Collection.Treatments, "created_at", from, to, DocumentQueries.MaxLimit), cancellationToken);
        var deviceStatus = await queries.FindAsync(site, Between(Collection.DeviceStatus, "created_at", (at - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), to, 1000), cancellationToken);
        var profiles = await queries.FindAsync(site, new DocumentQuery(Collection.Profile, [], 10, []), cancellationToken);
        var food = await queries.FindAsync(site, new DocumentQuery(Collection.Food, [], 1000, []), cancellationToken);
        var activity = await queries.FindAsync(site, Between(Collection.Activity, "created_at", from, to, DocumentQueries.MaxLimit), cancellationToken);

        JsonArray Map(IEnumerable<StoredDocument> documents, Func<StoredDocument, JsonObject> shape) =>
            new(documents.OrderBy(d => d.DateMs).Select(d => (JsonNode)shape(d)).ToArray());
        // The reference's processed treatment lists, by eventType, oldest first.
        JsonArray Treatments(Func<string, bool> eventType) => Map(treatments.Where(t => t.Type is { } type && eventType(type)), t => WithMills(t));

        return new JsonObject
        {
            ["sgvs"] = Map(entries.Where(e => e.Type == "sgv"), e => Reading(e, "sgv", ["direction", "filtered", "unfiltered", "noise", "rssi"])),
            ["mbgs"] = Map(entries.Where(e => e.Type == "mbg"), e => Reading(e, "mbg", [])),
            ["cals"] = Map(entries.Where(e => e.Type == "cal"), e => new JsonObject
            {
                ["_id"] = e.ObjectId, ["mills"] = e.DateMs, ["scale"] = e.Doc["scale"]?.DeepClone(), ["intercept"] = e.Doc["intercept"]?.DeepClone(),
                ["slope"] = e.Doc["slope"]?.DeepClone(), ["type"] = "cal",
            }),
            ["treatments"] = Map(treatments, t => WithMills(t)),
            ["sitechangeTreatments"] = Treatments(t => t.Contains("Site Change", StringComparison.Ordinal)),
            ["insulinchangeTreatments"] = Treatments(t => t.Contains("Insulin Change", StringComparison.Ordinal)),
            ["batteryTreatments"] = Treatments(t => t.Contains("Pump Battery Change", StringComparison.Ordinal)),
            ["sensorTreatments"] = Treatments(t => t.Contains("Sensor", StringComparison.Ordinal)),
            ["combobolusTreatments"] = Treatments(t => t == "Combo Bolus"),
            ["profileTreatments"] = Processed(treatments, t => t == "Profile Switch", keepZeroDuration: true),
            ["tempbasalTreatments"] = Processed(treatments, t => t.Contains("Temp Basal", StringComparison.Ordinal), keepZeroDuration: false),
            ["tempTargetTreatments"] = Processed(treatments, t => t.Contains("Temporary Target", StringComparison.Ordinal), keepZeroDuration: false, TargetsInMgdl),
            ["devicestatus"] = Map(deviceStatus, d => UploaderBattery(WithMills(d))),
            ["profiles"] = new JsonArray(profiles.Select(p => (JsonNode)p.ToV1Json()).ToArray()),
            ["food"] = new JsonArray(food.Select(f => (JsonNode)f.ToV1Json()).ToArray()),
            // As the reference loads them: the time (as an ISO date) and the three activity values, one per time.
            ["activity"] = new JsonArray(activity.OrderBy(a => a.DateMs).DistinctBy(a => a.DateMs).Select(a => (JsonNode)new JsonObject
            {
                ["mills"] = DocumentTime.Iso(a.DateMs),
                ["heartrate"] = a.Doc["heartrate"]?.DeepClone(),
                ["steps"] = a.Doc["steps"]?.DeepClone(),
                ["activitylevel"] = a.Doc["activitylevel"]?.DeepClone(),
            }).ToArray()),
            ["dbstats"] = new JsonObject(),
            ["lastUpdated"] = to,
        };
    }

    private static async Task<JsonObject> SummaryAsync(string site, DocumentQueries queries, IGrainFactory grains, DateTimeOffset now, double hours, CancellationToken cancellationToken)
    {
        var to = now.ToUnixTimeMilliseconds();
        var from = (now - TimeSpan.FromHours(hours)).ToUnixTimeMilliseconds();
        var entries = await queries.FindAsync(site, Between(Collection.Entries, "date", from, to, DocumentQueries.MaxLimit), cancellationToken);
        var treatments = await queries.FindAsync(site, Between(Collection.Treatments, "created_at", from, to, DocumentQueries.MaxLimit), cancellationToken);
        var profile = (await queries.FindAsync(site, new DocumentQuery(Collection.Profile, [], 1, [("startDate", true)]), cancellationToken)).FirstOrDefault();
        var properties = await LiveProperties.ReadAsync(grains.Site(site), ["cage", "sage", "iage", "bage", "upbat", "iob", "cob"]) ?? [];

        var sgvs = new JsonArray(entries.Where(e => e.Type == "sgv").OrderBy(e => e.DateMs).Select(e =>
        {
            var item = new JsonObject { ["sgv"] = e.Doc["sgv"]?.DeepClone(), ["mills"] = e.DateMs };
            // As the reference: noise only when it says something (1 is clean).
            if (e.Doc["noise"] is { } noise && !(DocumentTime.TryNumber(noise, out var n) && n == 1))
            {
                item["noise"] = noise.DeepClone();
            }

            return (JsonNode)item;
        }).ToArray());
        var temps = treatments.Where(t => t.Type == "Temp Basal").OrderBy(t => t.DateMs).Select(t => (JsonNode)new JsonObject
        {
            ["start"] = t.DateMs,
            ["duration"] = DocumentTime.TryNumber(t.Doc["duration"], out var d) ? d * 60_000 : 0,
            ["absolute"] = t.Doc["absolute"]?.DeepClone(),
        }).ToArray();
        var boluses = treatments.Where(t => t.Doc["carbs"] is not null || t.Doc["insulin"] is not null).OrderBy(t => t.DateMs).Select(t =>
        {
            var item = new JsonObject { ["mills"] = t.DateMs };
            foreach (var field in new[] { "carbs", "insulin" })
            {
                if (t.Doc[field] is { } value)
                {
                    item[field] = value.DeepClone();
                }
            }

            return (JsonNode)item;
        }).ToArray();
        var targets = treatments.Where(t => t.Type == "Temporary Target").OrderBy(t => t.DateMs).Select(t => (JsonNode)new JsonObject
        {
            ["targetTop"] = t.Doc["targetTop"]?.DeepClone(),
            ["targetBottom"] = t.Doc["targetBottom"]?.DeepClone(),
            ["duration"] = DocumentTime.TryNumber(t.Doc["duration"], out var d) ? d * 60 : 0,
            ["mills"] = t.DateMs,
        }).ToArray();

        return new JsonObject
        {
            ["sgvs"] = sgvs,
            ["treatments"] = new JsonObject { ["tempBasals"] = new JsonArray(temps), ["treatments"] = new JsonArray(boluses), ["targets"] = new JsonArray(targets) },
            ["profile"] = CurrentProfile(profile),
            ["state"] = new JsonObject
            {
                ["iob"] = DocumentTime.TryNumber(properties["iob"]?["iob"], out var iob) ? Math.Round(iob, 2) : null,
                ["cob"] = DocumentTime.TryNumber(properties["cob"]?["cob"], out var cob) ? Math.Round(cob) : null,
                // The reference's bolus wizard preview; not computed here.
                ["bwp"] = null,
                ["cage"] = properties["cage"]?["age"]?.DeepClone(),
                ["sage"] = properties["sage"]?["age"]?.DeepClone(),
                ["iage"] = properties["iage"]?["age"]?.DeepClone(),
                ["bage"] = properties["bage"]?["age"]?.DeepClone(),
                ["battery"] = properties["upbat"]?["level"]?.DeepClone(),
            },
        };
    }

    // The reference's summary shows the active profile itself (basal, sens, carbratio, targets, dia...),
    // without its timeAsSeconds helpers; {} when there is none.
    private static JsonObject CurrentProfile(StoredDocument? stored)
    {
        if (ProfileSchedule.Active(stored?.ToV1Json()) is not var (_, active))
        {
            return new JsonObject();
        }

        var profile = (JsonObject)active.DeepClone();
        RemoveTimeAsSeconds(profile);
        return profile;
    }

    private static void RemoveTimeAsSeconds(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("timeAsSeconds");
                foreach (var (_, value) in o)
                {
                    RemoveTimeAsSeconds(value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    RemoveTimeAsSeconds(item);
                }

                break;
        }
    }

    private static DocumentQuery Between(Collection collection, string field, long from, long to, int limit) =>
        new(collection,
            [new FindCondition(field, "gte", [from.ToString(CultureInfo.InvariantCulture)], FindValueKind.Number),
             new FindCondition(field, "lte", [to.ToString(CultureInfo.InvariantCulture)], FindValueKind.Number)],
            limit, []);

    private static JsonObject Reading(StoredDocument entry, string type, string[] extra)
    {
        var reading = new JsonObject
        {
            ["_id"] = entry.ObjectId,
            ["mgdl"] = entry.Doc[type]?.DeepClone(),
            ["mills"] = entry.DateMs,
            ["device"] = entry.Doc["device"]?.DeepClone(),
        };
        foreach (var field in extra)
        {
            if (entry.Doc[field] is { } value)
            {
                reading[field] = value.DeepClone();
            }
        }

        reading["type"] = type;
        return reading;
    }

    private static JsonArray Processed(IReadOnlyList<StoredDocument> treatments, Func<string, bool> eventType, bool keepZeroDuration, Func<JsonObject, JsonObject>? convert = null) =>
        new(TreatmentDurations.Process(
            treatments.Where(t => t.Type is { } type && eventType(type)).OrderBy(t => t.DateMs).Select(t => (convert ?? (x => x))(WithMills(t))),
            keepZeroDuration).Select(t => (JsonNode)t).ToArray());

    // The reference shows temporary targets in mg/dL: mmol ones (by units, or below 20) are converted.
    private static JsonObject TargetsInMgdl(JsonObject target)
    {
        var mmol = (string?)(target["units"] as JsonValue) == "mmol";
        var hasTop = DocumentTime.TryNumber(target["targetTop"], out var top);
        var hasBottom = DocumentTime.TryNumber(target["targetBottom"], out var bottom);
        if (mmol || (hasTop && top < 20) || (hasBottom && bottom < 20))
        {
            if (hasTop)
            {
                target["targetTop"] = top * Grains.Properties.GlucoseUnits.MmolToMgdl;
            }

            if (hasBottom)
            {
                target["targetBottom"] = bottom * Grains.Properties.GlucoseUnits.MmolToMgdl;
            }

            target["units"] = "mg/dl";
        }

        return target;
    }

    // Old uploaders send uploaderBattery; the reference hands it to clients as uploader.battery.
    private static JsonObject UploaderBattery(JsonObject status)
    {
        if (status.Remove("uploaderBattery", out var battery))
        {
            status["uploader"] = new JsonObject { ["battery"] = battery };
        }

        return status;
    }

    private static JsonObject WithMills(StoredDocument document)
    {
        var json = document.ToV1Json();
        json["mills"] = document.DateMs;
        return json;
    }
}
