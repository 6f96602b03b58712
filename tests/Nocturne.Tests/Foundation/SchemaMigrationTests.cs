using Nocturne.Grains.Storage;
using Nocturne.Tests.Infrastructure;
using Npgsql;

namespace Nocturne.Tests.Foundation;

public sealed class SchemaMigrationTests
{
    [Fact]
    public void ScriptsAreNumberedWithoutGaps()
    {
        Assert.NotEmpty(SchemaScripts.All);
        Assert.Equal(Enumerable.Range(1, SchemaScripts.All.Count), SchemaScripts.All.Select(s => s.Version));
        Assert.Equal(SchemaScripts.All.Count, SchemaScripts.RequiredVersion);
        Assert.Equal("0001_orleans_contract", SchemaScripts.All[0].Name);
    }

    [Fact]
    public async Task MigratingAnEmptyDatabaseAppliesEveryScriptOnceAndIsIdempotent()
    {
        var database = await TestServices.CreateEmptyDatabaseAsync("migrate");
        Assert.Contains("no Nocturne schema", await SchemaVersionGate.FindProblemAsync(database, CancellationToken.None));

        // Two processes migrating at once must not trip over each other.
        var results = await Task.WhenAll(new SchemaMigrator(database).MigrateAsync(), new SchemaMigrator(database).MigrateAsync());
        Assert.Equal(SchemaScripts.All.Select(s => s.Version), results.SelectMany(r => r).Order());
        Assert.Empty(await new SchemaMigrator(database).MigrateAsync());
        Assert.Null(await SchemaVersionGate.FindProblemAsync(database, CancellationToken.None));

        // The providers read their statements from OrleansQuery; every key they ask for is there.
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT querykey FROM orleansquery", connection);
        var keys = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        Assert.Superset(
            new HashSet<string>(["ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey", "UpsertReminderRowKey",
                "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "DeleteReminderRowKey", "DeleteReminderRowsKey"]),
            keys.ToHashSet());
    }

    [Fact]
    public async Task ADatabaseMissingANewerScriptIsReportedAsOutOfDate()
    {
        var database = await TestServices.CreateEmptyDatabaseAsync("older");
        await new SchemaMigrator(database).MigrateAsync();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("DELETE FROM nocturne_schema_history WHERE version = @v", connection);
            command.Parameters.AddWithValue("v", SchemaScripts.RequiredVersion);
            await command.ExecuteNonQueryAsync();
        }

        var problem = await SchemaVersionGate.FindProblemAsync(database, CancellationToken.None);
        Assert.NotNull(problem);
        Assert.Contains(SchemaScripts.All[^1].Name, problem);
    }

    [Fact]
    public async Task ASiloRefusesToStartWithoutTheSchema()
    {
        var database = await TestServices.CreateEmptyDatabaseAsync("noschema");
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestSilo.StartAsync(database, TestServices.UniqueServiceId("noschema")));
        var gate = FindInner<SchemaOutOfDateException>(ex);
        Assert.NotNull(gate);
        Assert.Contains("migrate", gate.Message);
    }

    private static T? FindInner<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(FindInner<T>).FirstOrDefault(x => x is not null) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
