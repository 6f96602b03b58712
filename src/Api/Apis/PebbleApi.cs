using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Api.Authorization;
using Nocturne.Api.Documents;
using Nocturne.Api.Errors;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Properties;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>GET /pebble</c>: the compact feed watch faces and widgets read (the reference's
/// lib/server/pebble.js). <c>bgs</c> holds the newest <c>count</c> readings, newest first, with
/// <c>sgv</c> as a string; the first one also carries <c>bgdelta</c>, the uploader <c>battery</c>,
/// and <c>iob</c>/<c>cob</c> when those plugins are enabled. <c>cals</c> only with <c>rawbg</c>.
/// </summary>
public static class PebbleApi
{
    private static readonly Dictionary<string, int> Trends = new(StringComparer.Ordinal)
    {
        ["NONE"] = 0, ["DoubleUp"] = 1, ["SingleUp"] = 2, ["FortyFiveUp"] = 3, ["Flat"] = 4,
        ["FortyFiveDown"] = 5, ["SingleDown"] = 6, ["DoubleDown"] = 7, ["NOT COMPUTABLE"] = 8, ["RATE OUT OF RANGE"] = 9,
    };

    public static IEndpointRouteBuilder MapPebbleApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/pebble", PebbleAsync).WithTags("Pebble").RequirePermission("api:pebble:read", "api:entries:read");
        return app;
    }

    private static async Task<IResult> PebbleAsync(HttpContext http, IGrainFactory grains, DocumentQueries queries, TimeProvider time)
    {
        var site = http.Site().SiteId;
        if (await http.Site().Grains.Access.GetSettingsAsync() is not { } settings)
        {
            return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
        }

        // As the reference: parseInt(count) || 1, and the query's units win over the site's.
        var count = int.TryParse(http.Request.Query["count"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) && c != 0 ? Math.Abs(c) : 1;
        count = Math.Min(count, DocumentQueries.MaxLimit);
        var units = http.Request.Query["units"].ToString() is { Length: > 0 } u ? u : settings.Units;
        var mmol = units == "mmol";
        var rawbg = settings.Enable.Contains("rawbg");
        var iob = settings.Enable.Contains("iob");
        var cob = settings.Enable.Contains("cob");

        var sgvs = await NewestAsync(queries, site, "sgv", count, http.RequestAborted);
        var cals = rawbg ? await NewestAsync(queries, site, "cal", count, http.RequestAborted) : [];
        var bgs = new JsonArray();
        foreach (var sgv in sgvs)
        {
            DocumentTime.TryNumber(sgv.Doc["sgv"], out var mgdl);
            var direction = (string?)(sgv.Doc["direction"] as JsonValue);
            var bg = new JsonObject
            {
                ["sgv"] = mmol ? ToMmol(mgdl) : mgdl.ToString(CultureInfo.InvariantCulture),
                ["trend"] = direction is not null && Trends.TryGetValue(direction, out var trend) ? trend : 8,
                ["direction"] = direction,
                ["datetime"] = sgv.DateMs,
            };
            if (rawbg && cals.Count > 0)
            {
                bg["filtered"] = sgv.Doc["filtered"]?.DeepClone();
                bg["unfiltered"] = sgv.Doc["unfiltered"]?.DeepClone();
                bg["noise"] = sgv.Doc["noise"]?.DeepClone();
            }

            bgs.Add(bg);
        }

        if (bgs.Count > 0)
        {
            List<string> wanted = ["delta", "upbat"];
            wanted.AddRange(iob ? ["iob"] : []);
            wanted.AddRange(cob ? ["cob"] : []);
            var properties = await LiveProperties.ReadAsync(http.Site().Grains, wanted) ?? [];
            AddExtras((JsonObject)bgs[0]!, properties, mmol, iob, cob);
        }

        return V1Responses.Json(new JsonObject
        {
            ["status"] = new JsonArray(new JsonObject { ["now"] = time.GetUtcNow().ToUnixTimeMilliseconds() }),
            ["bgs"] = bgs,
            ["cals"] = new JsonArray(cals.Select(cal => (JsonNode)new JsonObject
            {
                ["slope"] = cal.Doc["slope"]?.DeepClone(),
                ["intercept"] = cal.Doc["intercept"]?.DeepClone(),
                ["scale"] = cal.Doc["scale"]?.DeepClone(),
            }).ToArray()),
        }.ToJsonString());
    }

    private static void AddExtras(JsonObject first, JsonObject properties, bool mmol, bool iob, bool cob)
    {
        // The reference reports 0 when no delta can be computed, a fixed one-decimal string in mmol.
        var deltaMgdl = DocumentTime.TryNumber(properties["delta"]?["mgdl"], out var d) ? d : 0;
        first["bgdelta"] = mmol ? ToMmol(deltaMgdl) : JsonValue.Create(deltaMgdl);
        if (DocumentTime.TryNumber(properties["upbat"]?["level"], out var battery) && battery >= 0)
        {
            first["battery"] = battery.ToString(CultureInfo.InvariantCulture);
        }

        if (iob)
        {
            first["iob"] = properties["iob"]?["display"]?.DeepClone() ?? 0;
        }

        if (cob)
        {
            first["cob"] = properties["cob"]?["display"]?.DeepClone() ?? 0;
        }
    }

    // The reference's mgdlToMMOL: rounded, then toFixed(1).
    private static string ToMmol(double mgdl) => GlucoseUnits.ToMmol(mgdl).ToString("0.0", CultureInfo.InvariantCulture);

    private static async Task<IReadOnlyList<StoredDocument>> NewestAsync(DocumentQueries queries, string site, string type, int count, CancellationToken cancellationToken) =>
        await queries.FindAsync(site, new DocumentQuery(Collection.Entries, [new FindCondition("type", "eq", [type], FindValueKind.Text)], count, []), cancellationToken);
}
