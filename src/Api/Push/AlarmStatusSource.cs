using System.Text.Json.Nodes;
using Nocturne.Grains.Alarms;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Push;

/// <summary>Reads a site's alarm state for <c>/api/v1/status.json</c> (the properties answer keeps its own copy, see PatientGrain.Properties).</summary>
public static class AlarmStatusSource
{
    public static async Task<JsonObject> ViewAsync(IGrainFactory grains, string siteId, TimeProvider time) =>
        AlarmView.Of(await Nocturne.Grains.Interfaces.StringKeyedGrains.Get<ISiteAlarmGrain>(grains, SiteGrainKeys.For(siteId, "alarms")).GetStatusAsync(), time.GetUtcNow().ToUnixTimeMilliseconds());
}
