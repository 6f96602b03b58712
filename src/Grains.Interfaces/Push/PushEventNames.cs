namespace Nocturne.Grains.Interfaces.Push;

/// <summary>The reference server's Socket.IO event names, used for SignalR too.</summary>
public static class PushEventNames
{
    public const string DataUpdate = "dataUpdate";
    public const string Alarm = "alarm";
    public const string UrgentAlarm = "urgent_alarm";
    public const string ClearAlarm = "clear_alarm";
    public const string Announcement = "announcement";
    public const string Notification = "notification";

    /// <summary>Ours, to a clinic's staff only: a followed patient's data or share changed (payload <c>{ site }</c>); the board is to be fetched again.</summary>
    public const string BoardUpdate = "boardUpdate";

    /// <summary>Alarm-type events (delivered on the reference's <c>/alarm</c> namespace).</summary>
    public static bool IsAlarm(string name) => name is Alarm or UrgentAlarm or ClearAlarm or Announcement or Notification;
}
