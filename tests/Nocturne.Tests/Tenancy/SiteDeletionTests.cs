using Nocturne.Grains.Interfaces;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Tests.Grains;
using Nocturne.Tests.Infrastructure;
using Npgsql;

namespace Nocturne.Tests.Tenancy;

/// <summary>
/// Deleting a site removes its documents, subjects, grain state and reminders, and nothing of any
/// other site, even one whose grain is named after it (<c>bob/alice</c>); the id can then start
/// again from nothing.
/// </summary>
public sealed class SiteDeletionTests
{
    [Fact]
    public async Task DeletingASiteRemovesExactlyItsDataStateAndReminders()
    {
        var postgres = await TestServices.MigratedPostgresAsync();
        var serviceId = TestServices.UniqueServiceId("delete");
        var alice = $"alice-{Guid.NewGuid():N}"[..16];
        var bob = $"bob-{Guid.NewGuid():N}"[..14];
        var host = await TestSilo.StartAsync(postgres, serviceId);
        try
        {
            var grains = host.Grains();
            foreach (var site in new[] { alice, bob })
            {
                var patient = grains.Site(site).Documents;
                Assert.Equal(ChangeStatus.Done, (await grains.Site(site).Access.ProvisionAsync(new SiteProvisioning(site, "a-long-enough-secret", new SiteSettings()), false)).Status);
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                await patient.WriteDocumentsAsync(Collection.Entries, $$"""[{"type":"sgv","sgv":120,"date":{{now}}}]""", WriteMode.Create);
                await patient.WriteDocumentsAsync(Collection.Treatments, $$"""[{"eventType":"Note","created_at":"{{DateTimeOffset.UtcNow:o}}"}]""", WriteMode.Create);
                await grains.Site(site).Access.CreateSubjectAsync("phone", ["readable"], null);
            }

            // Site-scoped grains with state and reminders: alice's own, and bob's grain named "alice".
            var keys = new[] { SiteGrainKeys.For(alice, "probe"), SiteGrainKeys.For(bob, alice), SiteGrainKeys.For(bob, "probe") };
            foreach (var key in keys)
            {
                await grains.GetGrain<IReminderProbeGrain>(key).StartAsync(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
            }

            foreach (var key in keys)
            {
                Assert.True(await SiloWaits.ForTicksAsync(host, key, 1));
                Assert.Equal(1, await StateRowsAsync(postgres, serviceId, key));
                Assert.Equal(1, await ReminderRowsAsync(postgres, serviceId, key));
            }

            Assert.True(await grains.Site(alice).Access.DeleteAllDataAsync());

            Assert.Equal(0, await StateRowsAsync(postgres, serviceId, keys[0]));
            Assert.Equal(0, await ReminderRowsAsync(postgres, serviceId, keys[0]));
            Assert.Equal(0, await DocumentRowsAsync(postgres, "entries", alice) + await DocumentRowsAsync(postgres, "treatments", alice));
            foreach (var key in keys[1..])
            {
                Assert.Equal(1, await StateRowsAsync(postgres, serviceId, key));
                Assert.Equal(1, await ReminderRowsAsync(postgres, serviceId, key));
            }

            Assert.Equal(1, await DocumentRowsAsync(postgres, "entries", bob));
            Assert.Single(await grains.Site(bob).Access.GetSubjectsAsync());

            // The id starts again from nothing, though alice's document grain may still be in memory.
            var again = grains.Site(alice).Documents;
            Assert.Equal(ChangeStatus.Done, (await grains.Site(alice).Access.ProvisionAsync(new SiteProvisioning(alice, "another-long-secret", new SiteSettings()), false)).Status);
            Assert.Empty(await grains.Site(alice).Access.GetSubjectsAsync());
            Assert.Empty(await again.GetLastModifiedAsync());
            Assert.Null(await again.GetRecentEntriesAsync(1, null));
            Assert.Equal(0, await DocumentRowsAsync(postgres, "entries", alice));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private static Task<long> StateRowsAsync(string postgres, string serviceId, string key) =>
        CountAsync(postgres, "SELECT count(*) FROM orleans_grain_state WHERE service_id = @s AND grain_id_ext = @k", ("s", serviceId), ("k", key));

    private static Task<long> ReminderRowsAsync(string postgres, string serviceId, string key) =>
        CountAsync(postgres, "SELECT count(*) FROM orleans_reminders WHERE service_id = @s AND grain_id = @k", ("s", serviceId), ("k", "test-reminder-probe/" + key));

    private static Task<long> DocumentRowsAsync(string postgres, string table, string site) =>
        CountAsync(postgres, $"SELECT count(*) FROM {table} WHERE tenant_id = @t", ("t", site));

    private static async Task<long> CountAsync(string postgres, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }
}
