using Nocturne.Grains.Hosting;
using Nocturne.Grains.Storage;

namespace Nocturne.Api.Hosting;

/// <summary><c>Nocturne.Api migrate</c>: applies the schema in deploy/sql to the configured database.</summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggerFactory.CreateLogger("migrate");
        try
        {
            var applied = await new SchemaMigrator(NocturneSiloConfiguration.PostgresConnectionString(configuration), logger).MigrateAsync();
            logger.LogInformation("Schema is at version {Version} ({Count} migration(s) applied now)", SchemaScripts.RequiredVersion, applied.Count);
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
        {
            logger.LogError("Migration failed: {Error}", ex.Message);
            return 1;
        }
    }
}
