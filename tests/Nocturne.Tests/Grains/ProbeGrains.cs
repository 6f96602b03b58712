using Orleans.Placement;
using Orleans.Runtime;

namespace Nocturne.Tests.Grains;

// Grains that exist only to test the storage, reminder and clustering set-up end to end.

[Alias("tests.IClusterProbeGrain")]
public interface IClusterProbeGrain : IGrainWithStringKey
{
    [Alias("Where")]
    Task<ProbeAnswer> WhereAsync();
}

[GenerateSerializer, Alias("tests.ProbeAnswer")]
public sealed record ProbeAnswer([property: Id(0)] string Silo, [property: Id(1)] Guid Activation, [property: Id(2)] int Calls);

// Activates where it is first called, so a test decides which silo hosts it.
[GrainType("test-cluster-probe"), PreferLocalPlacement]
public sealed class ClusterProbeGrain(ILocalSiloDetails silo) : Grain, IClusterProbeGrain
{
    private readonly Guid _activation = Guid.NewGuid();
    private int _calls;

    public Task<ProbeAnswer> WhereAsync() => Task.FromResult(new ProbeAnswer(silo.SiloAddress.ToString(), _activation, ++_calls));
}

[Alias("tests.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task StartAsync(TimeSpan due, TimeSpan period);

    [Alias("Ticks")]
    Task<int> TicksAsync();

    [Alias("IsRegistered")]
    Task<bool> IsRegisteredAsync();

    [Alias("Stop")]
    Task StopAsync();
}

public sealed class ReminderProbeState
{
    public int Ticks { get; set; }
}

[GrainType("test-reminder-probe")]
public sealed class ReminderProbeGrain(
    [PersistentState("test-reminder-probe", Nocturne.Grains.NocturneStorage.ProviderName)] IPersistentState<ReminderProbeState> state)
    : Grain, IReminderProbeGrain, IRemindable
{
    private const string Name = "probe";

    public async Task StartAsync(TimeSpan due, TimeSpan period) => await this.RegisterOrUpdateReminder(Name, due, period);

    public Task<int> TicksAsync() => Task.FromResult(state.State.Ticks);

    public async Task<bool> IsRegisteredAsync() => await this.GetReminder(Name) is not null;

    public async Task StopAsync()
    {
        if (await this.GetReminder(Name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State.Ticks++;
        await state.WriteStateAsync();
    }
}
