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

        group.MapGet("/properties", (HttpContext http, IGrainFactory grains) => PropertiesAsync(http, grains, null))
            .RequirePermission("api:entries:read", "api:treatments:read");
        group.MapGet("/properties/{names}", (string names, HttpContext http, IGrainFactory grains) => PropertiesAsync(http, grains, names))
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

    private static async Task<IResult> PropertiesAsync(HttpContext http, IGrainFactory grains, string? names)
    {
        var wanted = names?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var json = await grains.GetGrain<IPatientGrain>(http.Site().SiteId).GetPropertiesAsync(wanted);
        if (json is null)
        {
            return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
        }

        // ?pretty asks for indentation, as the reference allows.
        return http.Request.Query.ContainsKey("pretty")
            ? V1Responses.Json(JsonNode.Parse(json)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }))
            : V1Responses.Json(json);
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

        JsonArray Map(IEnumerable<StoredDocument> documents, Func<StoredDocument, JsonObject> shape) =>
            new(documents.OrderBy(d => d.DateMs).Select(d => (JsonNode)shape(d)).ToArray());

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
            ["devicestatus"] = Map(deviceStatus, d => WithMills(d)),
            ["profiles"] = new JsonArray(profiles.Select(p => (JsonNode)p.ToV1Json()).ToArray()),
            ["food"] = new JsonArray(food.Select(f => (JsonNode)f.ToV1Json()).ToArray()),
            ["activity"] = new JsonArray(),
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
        var properties = JsonNode.Parse(await grains.GetGrain<IPatientGrain>(site).GetPropertiesAsync(["cage", "sage", "iage", "bage", "upbat"]) ?? "{}")!.AsObject();

        var sgvs = new JsonArray(entries.Where(e => e.Type == "sgv").OrderBy(e => e.DateMs).Select(e =>
        {
            var item = new JsonObject { ["sgv"] = e.Doc["sgv"]?.DeepClone(), ["mills"] = e.DateMs };
            if (e.Doc["noise"] is { } noise)
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
            ["profile"] = profile?.ToV1Json(),
            ["state"] = new JsonObject
            {
                ["cage"] = properties["cage"]?["age"]?.DeepClone(),
                ["sage"] = properties["sage"]?["age"]?.DeepClone(),
                ["iage"] = properties["iage"]?["age"]?.DeepClone(),
                ["bage"] = properties["bage"]?["age"]?.DeepClone(),
                ["battery"] = properties["upbat"]?["level"]?.DeepClone(),
            },
        };
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

    private static JsonObject WithMills(StoredDocument document)
    {
        var json = document.ToV1Json();
        json["mills"] = document.DateMs;
        return json;
    }
}
