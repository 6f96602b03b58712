using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nocturne.Grains.Interfaces;
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

        var first = await TestSilo.StartAsync(postgres, serviceId);
        try
        {
            Assert.True(await first.Grains().GetGrain<IPatientGrain>("alice").ConfigureSettingsAsync(settings));
            Assert.False(await first.Grains().GetGrain<IPatientGrain>("alice").ConfigureSettingsAsync(settings with { Enable = ["iob", "cob"] }));
        }
        finally
        {
            await first.StopAsync();
            first.Dispose();
        }

        var second = await TestSilo.StartAsync(postgres, serviceId);
        try
        {
            var restored = await second.Grains().GetGrain<IPatientGrain>("alice").GetSettingsAsync();
            Assert.Equal("mmol", restored.Units);
            Assert.Equal("after restart", restored.CustomTitle);
            Assert.Equal(["iob", "cob"], restored.Enable);

            // Another site and another service id see nothing of it.
            Assert.Equal("mg/dl", (await second.Grains().GetGrain<IPatientGrain>("bob").GetSettingsAsync()).Units);
        }
        finally
        {
            await second.StopAsync();
            second.Dispose();
        }

        var other = await TestSilo.StartAsync(postgres, TestServices.UniqueServiceId("other"));
        try
        {
            Assert.Equal("mg/dl", (await other.Grains().GetGrain<IPatientGrain>("alice").GetSettingsAsync()).Units);
        }
        finally
        {
            await other.StopAsync();
            other.Dispose();
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
            await host.Grains().GetGrain<IPatientGrain>("carol").ConfigureSettingsAsync(new SiteSettings { CustomTitle = "Carol" });
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }

        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT convert_from(payload, 'UTF8')::jsonb -> 'Settings' ->> 'CustomTitle' FROM orleans_grain_state WHERE service_id = @s AND grain_type = 'patient' AND grain_id_ext = 'carol'", connection);
        command.Parameters.AddWithValue("s", serviceId);
        Assert.Equal("Carol", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AStaleWriteIsRejectedInsteadOfOverwritingNewerState()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var host = await TestSilo.StartAsync(postgres, TestServices.UniqueServiceId("etag"));
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(Nocturne.Grains.NocturneStorage.ProviderName);
            var grainId = GrainId.Create("patient", "dave");
            var a = new GrainState<Nocturne.Grains.Patients.PatientState>(new());
            var b = new GrainState<Nocturne.Grains.Patients.PatientState>(new());

            // Two writers both believe the record does not exist yet: only one insert may win.
            await storage.WriteStateAsync("patient", grainId, a);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("patient", grainId, b));

            // Both read version N; the first update wins, the second is refused.
            await storage.ReadStateAsync("patient", grainId, a);
            await storage.ReadStateAsync("patient", grainId, b);
            a.State!.Settings = new SiteSettings { CustomTitle = "first" };
            await storage.WriteStateAsync("patient", grainId, a);
            b.State!.Settings = new SiteSettings { CustomTitle = "second" };
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("patient", grainId, b));

            var check = new GrainState<Nocturne.Grains.Patients.PatientState>(new());
            await storage.ReadStateAsync("patient", grainId, check);
            Assert.Equal("first", check.State!.Settings?.CustomTitle);

            // Clearing keeps the row versioned; a stale clear is refused as well.
            await storage.ClearStateAsync("patient", grainId, check);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("patient", grainId, a));
            var cleared = new GrainState<Nocturne.Grains.Patients.PatientState>(new());
            await storage.ReadStateAsync("patient", grainId, cleared);
            Assert.Null(cleared.State!.Settings);
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
            Assert.True(await WaitForTicksAsync(first, 1));
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
            Assert.True(await WaitForTicksAsync(second, before + 2));
            await grain.StopAsync();
            Assert.False(await grain.IsRegisteredAsync());
        }
        finally
        {
            await second.StopAsync();
            second.Dispose();
        }
    }

    private static async Task<bool> WaitForTicksAsync(IHost host, int atLeast)
    {
        var grain = host.Grains().GetGrain<IReminderProbeGrain>("r1");
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            if (await grain.TicksAsync() >= atLeast)
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }
}
