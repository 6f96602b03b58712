using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Api.Authorization;
using Nocturne.Api.Documents;
using Nocturne.Api.Errors;
using Nocturne.Api.Push;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Apis;

/// <summary>
/// <c>GET /api/v1/notifications/ack?level=&amp;group=&amp;time=</c> (silence an alarm level for every
/// follower of the site, as the reference) and <c>GET /api/v1/adminnotifies</c> (the count for
/// anyone, the notices for an admin). Both also under <c>/api/v2</c>.
/// </summary>
public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api/v1", "/api/v2" })
        {
            var group = app.MapGroup(prefix).WithTags("Notifications");
            group.MapGet("/notifications/ack", AckAsync).RequirePermission(FollowerPermission.Ack);
            group.MapGet("/adminnotifies", AdminNotifiesAsync).PublicOnSite();
        }

        return app;
    }

    private static async Task<IResult> AckAsync(HttpContext http, IGrainFactory grains)
    {
        var query = http.Request.Query;
        if (!int.TryParse(query["level"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var level) || level is < 1 or > 2)
        {
            return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "level must be 1 (warning) or 2 (urgent)");
        }

        long? silence = null;
        if (!string.IsNullOrEmpty(query["time"]))
        {
            if (!long.TryParse(query["time"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "time must be a positive number of milliseconds");
            }

            silence = ms;
        }

        var groupName = query["group"].ToString();
        await grains.GetGrain<ISiteAlarmGrain>(SiteGrainKeys.For(http.Site().SiteId, "alarms"))
            .AckAsync(level, string.IsNullOrWhiteSpace(groupName) ? "default" : groupName, silence);
        return TypedResults.Text("OK", "text/plain");
    }

    private static async Task<IResult> AdminNotifiesAsync(HttpContext http, IGrainFactory grains)
    {
        var site = http.Site();
        var settings = await grains.Site(site.SiteId).Access.GetSettingsAsync();
        var notifies = new JsonArray();
        if (settings?.AuthDefaultRoles.Contains("readable") == true)
        {
            notifies.Add(new JsonObject
            {
                ["title"] = "Nightscout readable by world",
                ["message"] = "Your Nightscout installation is readable by anyone who knows the web page URL. Please consider closing access to the site by setting AUTH_DEFAULT_ROLES=denied.",
                ["persistent"] = true,
                ["count"] = 1,
            });
        }

        var isAdmin = site.Grant.Outcome != Grains.Interfaces.Authorization.AccessOutcome.InvalidCredentials && site.Can("*:*:admin");
        var message = new JsonObject { ["notifies"] = isAdmin ? notifies : new JsonArray(), ["notifyCount"] = notifies.Count };
        return V1Responses.Json(new JsonObject { ["status"] = 200, ["message"] = message }.ToJsonString());
    }
}
