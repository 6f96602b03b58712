using Orleans.Concurrency;

namespace Nocturne.Grains.Interfaces.Alarms;

/// <summary>
/// A site's alarms (key <c>{site}/alarms</c>): evaluates each new reading and device status against
/// the site's thresholds as the reference's simplealarms, ar2, timeago, pump and loop plugins do, checks
/// for stale data on a reminder, and keeps acknowledgements in grain storage so they survive restarts.
/// </summary>
[Alias("nocturne.ISiteAlarmGrain")]
public interface ISiteAlarmGrain : IGrainWithStringKey
{
    /// <summary>New readings (mg/dL, time) and device statuses (JSON) committed by the patient grain.</summary>
    [Alias("OnData"), OneWay]
    Task OnDataAsync(AlarmInput input);

    /// <summary>Silences <paramref name="level"/> (and, for urgent, warning) of <paramref name="group"/> for <paramref name="silenceMs"/> (30 minutes when null).</summary>
    [Alias("Ack")]
    Task AckAsync(int level, string group, long? silenceMs);

    /// <summary>A relay now follows the site (the push grain's first subscriber): publish alarms again.</summary>
    [Alias("Followed"), OneWay]
    Task FollowedAsync();

    [Alias("GetStatus"), ReadOnly]
    Task<AlarmStatus> GetStatusAsync();

    /// <summary>
    /// The status for the site's patient grain, which keeps it for the properties answer: until the
    /// status changes next (or this activation ends) the patient grain is told, before the change shows.
    /// </summary>
    [Alias("FollowStatus")]
    Task<AlarmStatus> FollowStatusAsync();
}
