using System.Text;
using Nocturne.Grains.Alarms;
using Nocturne.Grains.Interfaces.Alarms;

namespace Nocturne.Grains.Properties;

/// <summary>
/// The site's alarm state as the properties answer shows it (<c>alarms</c>), kept by the patient
/// grain so that a read does not ask the alarm grain each time. The alarm grain tells of every
/// change before it shows (<see cref="Changed"/>, see <c>ISiteAlarmGrain.FollowStatusAsync</c>); a
/// kept view also ends when an acknowledgement it shows runs out (the view reads the clock only
/// there), and after <see cref="MaxAge"/>, which bounds what a lost notice (a failed call, an alarm
/// grain lost with its silo) could leave unseen.
/// </summary>
public sealed class KeptAlarmStatus
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private static readonly byte[] AlarmsName = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize("alarms") + ":");

    private (long FromMs, long EndMs, byte[] Json)? _kept;
    private long _generation;
    private (long Generation, Task<byte[]> View)? _asking;
    private (byte[] Properties, byte[] Alarms, byte[] Answer)? _appended;

    /// <summary>The <c>alarms</c> value as JSON, as of <paramref name="time"/>'s now.</summary>
    public ValueTask<byte[]> ViewAsync(Func<Task<AlarmStatus>> follow, TimeProvider time)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_kept is { } kept && nowMs >= kept.FromMs && nowMs < kept.EndMs)
        {
            return ValueTask.FromResult(kept.Json);
        }

        // Reads interleave: those that come while the status is asked for share the answer, unless a change came since.
        if (_asking is not { } asking || asking.Generation != _generation || asking.View.IsCompleted)
        {
            asking = (_generation, AskAsync(follow, time, _generation));
            _asking = asking;
        }

        return new ValueTask<byte[]>(asking.View);
    }

    /// <summary>The alarm grain changed its status: no view asked for before this may serve after it.</summary>
    public void Changed()
    {
        _kept = null;
        _asking = null;
        _generation++;
    }

    /// <summary>The properties object with <c>alarms</c> appended, as the answer was always written (the last one is kept).</summary>
    public byte[] Append(byte[] properties, byte[] alarms)
    {
        if (_appended is { } appended && ReferenceEquals(appended.Properties, properties) && ReferenceEquals(appended.Alarms, alarms))
        {
            return appended.Answer;
        }

        var end = Array.LastIndexOf(properties, (byte)'}');
        while (end > 0 && properties[end - 1] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            end--;
        }

        var separator = end > 1 ? 1 : 0;
        var answer = new byte[end + separator + AlarmsName.Length + alarms.Length + 1];
        properties.AsSpan(0, end).CopyTo(answer);
        var at = end;
        if (separator == 1)
        {
            answer[at++] = (byte)',';
        }

        AlarmsName.CopyTo(answer, at);
        at += AlarmsName.Length;
        alarms.CopyTo(answer, at);
        answer[^1] = (byte)'}';
        _appended = (properties, alarms, answer);
        return answer;
    }

    private async Task<byte[]> AskAsync(Func<Task<AlarmStatus>> follow, TimeProvider time, long generation)
    {
        try
        {
            var status = await follow();
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            var json = Encoding.UTF8.GetBytes(AlarmView.Of(status, nowMs).ToJsonString());
            if (generation == _generation)
            {
                // An acknowledgement's end changes both the snoozes listed and what they silence
                // (one that ended since the alarm grain answered: the view serves this read only).
                var endMs = nowMs + (long)MaxAge.TotalMilliseconds;
                foreach (var snooze in status.Snoozes)
                {
                    endMs = Math.Min(endMs, Math.Max(snooze.UntilMs, nowMs));
                }

                _kept = (nowMs, endMs, json);
            }

            return json;
        }
        finally
        {
            if (_asking is { } asking && asking.Generation == generation)
            {
                _asking = null;
            }
        }
    }
}
