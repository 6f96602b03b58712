using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Push;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Alarms;

/// <summary>
/// A site's alarms, as the reference's notifications module: per group the highest alarm sounds
/// unless its level was acknowledged within its silence time; a group with nothing left is cleared
/// ("auto ack") with a 1 ms silence so that it re-alarms at once. A reminder re-evaluates every minute
/// once readings or device statuses arrive, so stale data alarms with no upload at all. Acks, what
/// sounded and the device statuses' findings are in grain storage, written when they change (not on
/// each reading or tick); the newest readings are read back from the entries table on activation, so a
/// restart changes nothing a follower hears.
/// </summary>
[GrainType("sitealarms")]
public sealed class SiteAlarmGrain(
    [PersistentState("sitealarms", NocturneStorage.ProviderName)] IPersistentState<SiteAlarmState> state,
    NewestReadings newestReadings,
    TimeProvider time,
    ILogger<SiteAlarmGrain> logger) : Grain, ISiteAlarmGrain, IRemindable
{
    private const string StaleReminder = "stale";
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromMinutes(1);
    // After a day without readings or device statuses the site is not "active": stop ticking until the next upload.
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(1);

    // Whether this activation knows the minute reminder to be registered (saves a reminder-table write per device status).
    private bool _ticking;

    // When the reminder ticks next (epoch ms), as this activation last aimed or heard it; null when unknown.
    private long? _reminderDueMs;

    // Whether a relay may follow the site: until a publish is answered "nobody follows", every alarm
    // is published; after that none until the push grain's first relay subscribes (FollowedAsync), so a
    // stale site nobody watches costs its push grain no activation every minute.
    private bool _followed = true;

    // The newest reading as read from the entries table on activation when storage had an older one:
    // OnDataAsync still evaluates it as new when it is the reading that came (it is committed before it is sent here).
    private long? _unheardLastMs;

    private string SiteId => SiteGrainKeys.SiteOf(this.GetPrimaryKeyString());

    public async Task OnDataAsync(AlarmInput input)
    {
        var now = time.GetUtcNow();
        var newest = input.Readings.MaxBy(r => r.Mills);
        var newReading = newest is not null
            && (TakeNewest(newest, input.Readings.Where(r => r.Mills < newest.Mills).MaxBy(r => r.Mills)) || newest.Mills == _unheardLastMs);
        _unheardLastMs = null;
        foreach (var status in input.DeviceStatusJson)
        {
            if (JsonNode.Parse(status) is JsonObject document)
            {
                DeviceStatusReader.Apply(state.State, document);
            }
        }

        if (!newReading && input.DeviceStatusJson.Count == 0)
        {
            return;
        }

        // The writer's settings (or one call for them): the evaluation and the reminder's aim use the same answer.
        // A reading alone is written only with what it changes (the entries table has it); what a
        // device status says is found nowhere else, so it is written at once.
        var settings = input.Settings ?? await SettingsAsync();
        await EvaluateAsync(now, settings, persist: input.DeviceStatusJson.Count > 0);
        if (newReading)
        {
            // The first tick comes as the reading turns stale, then every minute. A reminder already
            // due before that is left alone: its tick aims it again (ReceiveReminder), so the reminder
            // table is written about once per stale span instead of once per reading.
            // A reading that is stale already (a backfill, a late upload) leaves a ticking reminder
            // alone too: this evaluation has just alarmed and the minute tick goes on from there.
            var staleAtMs = StaleAtMs(newest!.Mills, settings);
            if (!_ticking || _reminderDueMs is not { } due || (due > staleAtMs && staleAtMs > now.ToUnixTimeMilliseconds()))
            {
                await AimReminderAsync(staleAtMs, now.ToUnixTimeMilliseconds());
            }
        }
        else if (!_ticking)
        {
            // Device statuses alone (a loop without CGM uploads here) still need the minute tick for loop and pump staleness.
            await this.RegisterOrUpdateReminder(StaleReminder, CheckPeriod, CheckPeriod);
            _reminderDueMs = now.ToUnixTimeMilliseconds() + (long)CheckPeriod.TotalMilliseconds;
            _ticking = true;
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Readings are not written here one by one: the entries table has the newest.
        var (last, previous) = await newestReadings.ReadAsync(SiteId, cancellationToken);
        if (last is not null && TakeNewest(last, previous))
        {
            _unheardLastMs = last.Mills;
        }

        // Nor is what alarms written on each tick (a standing alarm's minutes): evaluate it for now, so
        // the views show what a tick would have. Sounding and clearing stay with the next evaluation.
        var anything = state.State.Active.Count > 0 || state.State.Last is not null || state.State.LastDeviceStatusMs is not null;
        if (anything && await SettingsAsync() is { } settings)
        {
            state.State.Active = SiteAlarmRules.Evaluate(settings, state.State, time.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    private Task WriteAsync() => state.WriteStateAsync();

    // A reading newer than the last one known becomes the last; the one before is the newest of
    // `before` (the reading before it, where known) and the old last. False when it is not newer.
    private bool TakeNewest(AlarmReading newest, AlarmReading? before)
    {
        var lastMs = state.State.Last?.Mills ?? long.MinValue;
        if (newest.Mills <= lastMs)
        {
            return false;
        }

        state.State.Previous = before is not null && before.Mills > lastMs ? before : state.State.Last;
        state.State.Last = newest;
        return true;
    }

    // The newest reading turns stale a second after this (the time-ago warning's minutes after it).
    private static long StaleAtMs(long readingMs, Interfaces.SiteSettings? settings) =>
        readingMs + ((settings?.AlarmTimeagoWarnMins ?? 15) * 60_000L) + 1000;

    private async Task AimReminderAsync(long staleAtMs, long nowMs)
    {
        var dueMs = (long)Math.Clamp(staleAtMs - nowMs, 1000, CheckPeriod.TotalMilliseconds * 60);
        await this.RegisterOrUpdateReminder(StaleReminder, TimeSpan.FromMilliseconds(dueMs), CheckPeriod);
        _reminderDueMs = nowMs + dueMs;
        _ticking = true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != StaleReminder)
        {
            return;
        }

        var now = time.GetUtcNow();
        var lastData = Math.Max(state.State.Last?.Mills ?? long.MinValue, state.State.LastDeviceStatusMs ?? long.MinValue);
        if (lastData == long.MinValue || now.ToUnixTimeMilliseconds() - lastData > GiveUpAfter.TotalMilliseconds)
        {
            if (await this.GetReminder(StaleReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _ticking = false;
            _reminderDueMs = null;
            return;
        }

        _ticking = true;
        _reminderDueMs = now.ToUnixTimeMilliseconds() + (long)CheckPeriod.TotalMilliseconds;
        var settings = await SettingsAsync();
        await EvaluateAsync(now, settings, persist: false);

        // Readings came after the reminder was aimed (OnDataAsync leaves an earlier one alone): aim it
        // at the moment the newest turns stale, as a re-registration on each reading would have.
        if (state.State.Last is { } last && StaleAtMs(last.Mills, settings) is var staleAtMs
            && now.ToUnixTimeMilliseconds() < staleAtMs - 1000)
        {
            await AimReminderAsync(staleAtMs, now.ToUnixTimeMilliseconds());
        }
    }

    public async Task AckAsync(int level, string group, long? silenceMs)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        group = string.IsNullOrWhiteSpace(group) ? AlarmLevels.DefaultGroup : group;
        if (!Ack(level, group, silenceMs, nowMs))
        {
            return;
        }

        await PublishAsync([(PushEventNames.ClearAlarm, Clear(group, $"{group} - {AlarmLevels.Display(level)} was ack'd"))]);
        await WriteAsync();
        logger.LogInformation("Site {Site}: {Group} level {Level} acknowledged", SiteId, group, level);
    }

    public Task FollowedAsync()
    {
        _followed = true;
        return Task.CompletedTask;
    }

    public Task<AlarmStatus> GetStatusAsync()
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var snoozes = state.State.Slots.Where(s => s.LastAckMs > 0 && s.SilencedAt(nowMs) && s.SilenceMs > 1)
            .Select(s => new AlarmSnooze(s.Level, s.Group, s.LastAckMs, s.LastAckMs + s.SilenceMs)).ToList();
        return Task.FromResult(new AlarmStatus(state.State.Active.ToList(), snoozes, state.State.Last?.Mills));
    }

    // persist: write the state whatever changed (otherwise only when what alarms or what sounded changed).
    private async Task EvaluateAsync(DateTimeOffset now, Interfaces.SiteSettings? siteSettings, bool persist)
    {
        if (siteSettings is not { } settings)
        {
            return;
        }

        var nowMs = now.ToUnixTimeMilliseconds();
        var notices = SiteAlarmRules.Evaluate(settings, state.State, nowMs);
        // The rules only read the state: what an evaluation changes is the active notices and the
        // slots (added, sounded, auto-acked), so those say whether there is anything new to write.
        // Not what changes on every tick or reading of a standing alarm: its message and reading
        // (evaluated again on activation, see OnActivateAsync) and when a slot last sounded (only
        // whether it did is read).
        var changed = !SameAlarms(notices, state.State.Active);
        var slots = state.State.Slots.Count;
        state.State.Active = notices;
        var events = new List<(string Name, JsonObject Payload)>();
        var groups = notices.Select(n => n.Group).Concat(state.State.Slots.Select(s => s.Group)).Append(AlarmLevels.DefaultGroup).Distinct().ToList();
        foreach (var group in groups)
        {
            var highest = notices.Where(n => n.Group == group).OrderByDescending(n => n.Level).FirstOrDefault();
            if (highest is not null)
            {
                var slot = Slot(highest.Level, group);
                if (!slot.SilencedAt(nowMs))
                {
                    changed |= slot.LastEmitMs is null;
                    slot.LastEmitMs = nowMs;
                    events.Add((highest.Level == AlarmLevels.Urgent ? PushEventNames.UrgentAlarm : PushEventNames.Alarm, Notify(highest)));
                }

                continue;
            }

            // Nothing alarms in this group any more: the reference's auto-ack, so a new alarm sounds at once.
            var cleared = false;
            foreach (var level in new[] { AlarmLevels.Warn, AlarmLevels.Urgent })
            {
                if (state.State.Slots.FirstOrDefault(s => s.Level == level && s.Group == group) is { LastEmitMs: not null })
                {
                    changed |= Ack(level, group, 1, nowMs);
                    cleared = true;
                }
            }

            if (cleared)
            {
                events.Add((PushEventNames.ClearAlarm, Clear(group, "Auto ack'd alarm(s)")));
            }
        }

        await PublishAsync(events);

        if (persist || changed || state.State.Slots.Count != slots)
        {
            await WriteAsync();
        }
    }

    // The same alarms in the same order, whatever their messages say and whichever reading they are of.
    private static bool SameAlarms(List<AlarmNotice> a, List<AlarmNotice> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First == p.Second with { Message = p.First.Message, Mills = p.First.Mills });

    // The reference's ack: ignored while that level is already silenced; urgent also silences warning.
    private bool Ack(int level, string group, long? silenceMs, long nowMs)
    {
        var slot = Slot(level, group);
        if (slot.SilencedAt(nowMs))
        {
            return false;
        }

        slot.LastAckMs = nowMs;
        slot.SilenceMs = silenceMs is > 0 ? silenceMs.Value : SiteAlarmRules.DefaultSilenceMs;
        slot.LastEmitMs = null;
        if (level == AlarmLevels.Urgent)
        {
            Ack(AlarmLevels.Warn, group, silenceMs, nowMs);
        }

        return true;
    }

    private AlarmSlot Slot(int level, string group)
    {
        if (state.State.Slots.FirstOrDefault(s => s.Level == level && s.Group == group) is { } slot)
        {
            return slot;
        }

        slot = new AlarmSlot { Level = level, Group = group, SilenceMs = SiteAlarmRules.DefaultSilenceMs };
        state.State.Slots.Add(slot);
        return slot;
    }

    private Task<Interfaces.SiteSettings?> SettingsAsync() => GrainFactory.Site(SiteId).Access.GetSettingsAsync();

    // In order, each awaited: an answer "nobody follows" is taken within this turn, so a FollowedAsync
    // sent after it (the grain is not reentrant) is always heard after it, never overwritten by it.
    private async Task PublishAsync(List<(string Name, JsonObject Payload)> events)
    {
        foreach (var (name, payload) in events)
        {
            if (!_followed)
            {
                return;
            }

            var pushEvent = new SitePushEvent(SiteId, name, payload.ToJsonString(), time.GetUtcNow().ToUnixTimeMilliseconds());
            try
            {
                _followed = await StringKeyedGrains.Get<ISitePushGrain>(GrainFactory, SiteGrainKeys.For(SiteId, "push")).PublishHeardAsync(pushEvent);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // As when publishing was one-way: a push grain that cannot be reached holds back neither the state's write nor the next event.
                logger.LogWarning(ex, "Site {Site}: alarm event {Event} not published", SiteId, name);
            }
        }
    }

    private static JsonObject Notify(AlarmNotice notice) => new()
    {
        ["level"] = notice.Level,
        ["title"] = notice.Title,
        ["message"] = notice.Message,
        ["eventName"] = notice.EventName,
        ["group"] = notice.Group,
        ["plugin"] = new JsonObject { ["name"] = notice.Plugin },
        ["mills"] = notice.Mills,
    };

    private static JsonObject Clear(string group, string message) => new()
    {
        ["clear"] = true,
        ["title"] = "All Clear",
        ["message"] = message,
        ["group"] = group,
    };
}
