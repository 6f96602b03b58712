using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Push;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Push;

/// <summary>
/// What follows a committed change outside the patient grain: the <c>dataUpdate</c> delta for the
/// site's followers and the new readings and device statuses for its alarms. Both calls are one-way,
/// so the writer never waits for a follower or an alarm evaluation.
/// </summary>
public static class SiteChangeFeed
{
    /// <param name="followGeneration">The patient grain's count of followers' arrivals; null while nobody
    /// follows the site, and then no <c>dataUpdate</c> is built or sent.</param>
    /// <param name="settings">The site's settings as the writer knows them (null when it does not know them now).</param>
    public static void Publish(IGrainFactory grains, string siteId, DocumentChange change, DateTimeOffset now, long? followGeneration, SiteSettings? settings)
    {
        if (followGeneration is { } generation && DataUpdate.From(change, now) is { } delta)
        {
            _ = StringKeyedGrains.Get<ISitePushGrain>(grains, SiteGrainKeys.For(siteId, "push"))
                .PublishChangeAsync(new SitePushEvent(siteId, PushEventNames.DataUpdate, delta.ToJsonString(), now.ToUnixTimeMilliseconds()), generation);
        }

        if (AlarmInputOf(change, settings) is { } input)
        {
            _ = StringKeyedGrains.Get<ISiteAlarmGrain>(grains, SiteGrainKeys.For(siteId, "alarms")).OnDataAsync(input);
        }
    }

    private static AlarmInput? AlarmInputOf(DocumentChange change, SiteSettings? settings)
    {
        var valid = change.Written.Where(d => d.IsValid);
        switch (change.Collection)
        {
            case Collection.Entries:
                var readings = valid.Where(d => d.Type == "sgv" && DataUpdate.Number(d.Doc["sgv"]) is not null)
                    .Select(d => new AlarmReading(d.DateMs, DataUpdate.Number(d.Doc["sgv"])!.Value)).ToList();
                return readings.Count == 0 ? null : new AlarmInput(readings, [], settings);
            case Collection.DeviceStatus:
                var statuses = valid.Select(d =>
                {
                    var json = d.ToV1Json();
                    json["mills"] = d.DateMs;
                    return json.ToJsonString();
                }).ToList();
                return statuses.Count == 0 ? null : new AlarmInput([], statuses, settings);
            default:
                return null;
        }
    }
}
