using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Push;

/// <summary>Reads a site's alarm state for the REST views (properties, status).</summary>
public static class AlarmStatusSource
{
    public static async Task<JsonObject> ViewAsync(IGrainFactory grains, string siteId, TimeProvider time) =>
        AlarmView.Of(await Nocturne.Grains.Interfaces.StringKeyedGrains.Get<ISiteAlarmGrain>(grains, SiteGrainKeys.For(siteId, "alarms")).GetStatusAsync(), time.GetUtcNow().ToUnixTimeMilliseconds());
}
