using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Oref;

namespace Nocturne.Grains.Tenants;

// /api/v2/properties, iob and cob included, from what the grain keeps in memory: the window, the
// live state and the last day's treatments (no query per read once they are loaded).
public sealed partial class PatientGrain
{
    private readonly Properties.RenderedProperties _renderedProperties = new();
    private readonly RecentTreatments _recentTreatments = new();
    private readonly Properties.KeptAlarmStatus _keptAlarms = new();
    private Func<Task<Interfaces.Alarms.AlarmStatus>>? _followAlarms;

    public async Task<string?> GetPropertiesAsync(IReadOnlyList<string>? names) =>
        await ServingSiteAsync() is { } site ? System.Text.Encoding.UTF8.GetString(await RenderedPropertiesAsync(names, site)) : null;

    public async Task<Interfaces.Documents.PropertiesAnswer?> GetPropertiesAnswerAsync(IReadOnlyList<string>? names)
    {
        if (await ServingSiteAsync() is not { } site)
        {
            return null;
        }

        if (names is not null && !names.Contains("alarms"))
        {
            return new Interfaces.Documents.PropertiesAnswer(await RenderedPropertiesAsync(names, site));
        }

        // The alarm state (kept, or asked of the alarm grain) at the same time as the properties, not after.
        _followAlarms ??= () => Interfaces.StringKeyedGrains.Get<Interfaces.Alarms.ISiteAlarmGrain>(GrainFactory, SiteGrainKeys.For(SiteId, "alarms")).FollowStatusAsync();
        var alarms = _keptAlarms.ViewAsync(_followAlarms, time);
        var properties = await RenderedPropertiesAsync(names, site);
        return new Interfaces.Documents.PropertiesAnswer(_keptAlarms.Append(properties, await alarms));
    }

    public Task AlarmStatusChangedAsync()
    {
        _keptAlarms.Changed();
        return Task.CompletedTask;
    }

    private ValueTask<byte[]> RenderedPropertiesAsync(IReadOnlyList<string>? names, SiteState site)
    {
        var now = time.GetUtcNow();
        return _renderedProperties.GetOrComputeAsync(names, site.Settings, now, async lifetime =>
        {
            var properties = Properties.SiteProperties.Compute(names, _entryWindow, _live, site.Settings, now, lifetime);
            await InsulinAndCarbs.AddAsync(properties, names is null || names.Contains("iob"), names is null || names.Contains("cob"), _live.DeviceStatus, _live.Profile,
                () => _recentTreatments.ReadAsync(documents, SiteId, now),
                () => OrefHistory.Glucose(_entryWindow.Since((now - OrefHistory.Span).ToUnixTimeMilliseconds(), "sgv")),
                GrainFactory.GetGrain<IOrefGrain>(0), now, lifetime);
            // The bytes ToJsonString() would give, written once per computation rather than transcoded per read.
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                properties.WriteTo(writer);
            }

            return buffer.WrittenSpan.ToArray();
        });
    }

    // A committed change: no answer computed before it may serve after it.
    private void PropertiesFollow(Documents.DocumentChange change)
    {
        _renderedProperties.Clear();
        _recentTreatments.Apply(change);
    }

    private void PropertiesReloaded()
    {
        _renderedProperties.Clear();
        _recentTreatments.Clear();
        _keptAlarms.Changed();
    }
}
