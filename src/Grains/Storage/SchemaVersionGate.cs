using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Runtime;

namespace Nocturne.Grains.Storage;

/// <summary>
/// Stops a silo from starting against a database whose schema is missing or older than
/// the code: the ADO.NET providers would otherwise fail later with obscure errors, and
/// the silo must never create the schema itself (migrations are an explicit step).
/// </summary>
public sealed class SchemaVersionGate(PostgresConnection postgres, ILogger<SchemaVersionGate> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaVersionGate), ServiceLifecycleStage.First, CheckAsync);

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var problem = await FindProblemAsync(postgres.ConnectionString, cancellationToken);
        if (problem is not null)
        {
            logger.LogCritical("{Problem}", problem);
            throw new SchemaOutOfDateException(problem);
        }
    }

    /// <summary>A description of what is wrong with the schema, or null when it is current.</summary>
    public static async Task<string?> FindProblemAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var applied = await SchemaVersionReader.ReadAppliedAsync(connection, cancellationToken);
        if (applied is null)
        {
            return $"The database '{connection.Database}' has no Nocturne schema. Apply it first with `dotnet run --project src/Api -- migrate` (or deploy/local/up.sh).";
        }

        var missing = SchemaScripts.All.Where(m => !applied.Contains(m.Version)).Select(m => m.Name).ToList();
        if (missing.Count > 0)
        {
            return $"The database schema is older than this build (missing {string.Join(", ", missing)}). Apply it with `dotnet run --project src/Api -- migrate`.";
        }

        var newest = applied.Count == 0 ? 0 : applied.Max();
        return newest > SchemaScripts.RequiredVersion
            ? $"The database schema (version {newest}) is newer than this build (version {SchemaScripts.RequiredVersion}); upgrade the server."
            : null;
    }
}
