using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Grains;
using Nocturne.Tests.Infrastructure;
using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;

namespace Nocturne.Tests.Foundation;

/// <summary>
/// Grain state and reminders live in PostgreSQL through our own implementation of the
/// Orleans ADO.NET query contract (deploy/sql/0001): a silo that stops and starts again
/// must find both.
/// </summary>
public sealed class PersistenceAcrossRestartTests
{
    [Fact]
    public async Task GrainStateSurvivesASiloRestart()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var serviceId = TestServices.UniqueServiceId("restart");
        var settings = new SiteSettings { Units = "mmol", CustomTitle = "after restart", Enable = ["iob", "cob"] };
        var site = $"alice-{Guid.NewGuid():N}"[..20];

        var first = await TestSilo.StartAsync(postgres, serviceId);
        try
        {
            var created = await first.Grains().GetGrain<ISiteAccessGrain>(site).ProvisionAsync(new SiteProvisioning("Alice", "a-long-enough-secret", new SiteSettings()), overwrite: false);
            Assert.Equal(ChangeStatus.Done, created.Status);
            Assert.True(await first.Grains().GetGrain<ISiteAccessGrain>(site).ConfigureSettingsAsync(settings));
            Assert.False(await first.Grains().GetGrain<ISiteAccessGrain>(site).ConfigureSettingsAsync(settings with { Enable = ["iob", "cob"] }));
            await first.Grains().GetGrain<IReminderProbeGrain>("state").StartAsync(TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        }
        finally
        {
            await first.StopAsync();
            first.Dispose();
        }

        var second = await TestSilo.StartAsync(postgres, serviceId);
        try
        {
            var restored = await second.Grains().GetGrain<ISiteAccessGrain>(site).GetSettingsAsync();
            Assert.NotNull(restored);
            Assert.Equal("mmol", restored.Units);
            Assert.Equal("after restart", restored.CustomTitle);
            Assert.Equal(["iob", "cob"], restored.Enable);

            // A key with no site behind it has no settings.
            Assert.Null(await second.Grains().GetGrain<ISiteAccessGrain>("nobody-here").GetSettingsAsync());
        }
        finally
        {
            await second.StopAsync();
            second.Dispose();
        }

    }

    [Fact]
    public async Task GrainStateIsStoredAsPlainJson()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var serviceId = TestServices.UniqueServiceId("json");
        var host = await TestSilo.StartAsync(postgres, serviceId);
        try
        {
            await host.Grains().GetGrain<IReminderProbeGrain>("carol").StartAsync(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
            Assert.True(await SiloWaits.ForTicksAsync(host, "carol", 1));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }

        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (convert_from(payload, 'UTF8')::jsonb ->> 'Ticks')::int FROM orleans_grain_state WHERE service_id = @s AND grain_type = 'test-reminder-probe' AND grain_id_ext = 'carol'", connection);
        command.Parameters.AddWithValue("s", serviceId);
        Assert.Equal(1, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AStaleWriteIsRejectedInsteadOfOverwritingNewerState()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var host = await TestSilo.StartAsync(postgres, TestServices.UniqueServiceId("etag"));
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(Nocturne.Grains.NocturneStorage.ProviderName);
            var grainId = GrainId.Create("test-reminder-probe", "dave");
            var a = new GrainState<ReminderProbeState>(new());
            var b = new GrainState<ReminderProbeState>(new());

            // Two writers both believe the record does not exist yet: only one insert may win.
            await storage.WriteStateAsync("test-reminder-probe", grainId, a);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("test-reminder-probe", grainId, b));

            // Both read version N; the first update wins, the second is refused.
            await storage.ReadStateAsync("test-reminder-probe", grainId, a);
            await storage.ReadStateAsync("test-reminder-probe", grainId, b);
            a.State!.Ticks = 1;
            await storage.WriteStateAsync("test-reminder-probe", grainId, a);
            b.State!.Ticks = 2;
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("test-reminder-probe", grainId, b));

            var check = new GrainState<ReminderProbeState>(new());
            await storage.ReadStateAsync("test-reminder-probe", grainId, check);
            Assert.Equal(1, check.State!.Ticks);

            // Clearing keeps the row versioned; a stale clear is refused as well.
            await storage.ClearStateAsync("test-reminder-probe", grainId, check);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("test-reminder-probe", grainId, a));
            var cleared = new GrainState<ReminderProbeState>(new());
            await storage.ReadStateAsync("test-reminder-probe", grainId, cleared);
            Assert.Equal(0, cleared.State!.Ticks);
            Assert.False(cleared.RecordExists);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public async Task RemindersSurviveASiloRestartAndKeepFiring()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var serviceId = TestServices.UniqueServiceId("reminder");

        var first = await TestSilo.StartAsync(postgres, serviceId);
        try
        {
            await first.Grains().GetGrain<IReminderProbeGrain>("r1").StartAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            Assert.True(await SiloWaits.ForTicksAsync(first, "r1", 1));
        }
        finally
        {
            await first.StopAsync();
            first.Dispose();
        }

        var second = await TestSilo.StartAsync(postgres, serviceId);
        try
        {
            var grain = second.Grains().GetGrain<IReminderProbeGrain>("r1");
            Assert.True(await grain.IsRegisteredAsync());
            var before = await grain.TicksAsync();
            Assert.True(before >= 1);
            // Nobody re-registers the reminder: the new silo reads it from PostgreSQL and fires it.
            Assert.True(await SiloWaits.ForTicksAsync(second, "r1", before + 2));
            await grain.StopAsync();
            Assert.False(await grain.IsRegisteredAsync());
        }
        finally
        {
            await second.StopAsync();
            second.Dispose();
        }
    }
}
