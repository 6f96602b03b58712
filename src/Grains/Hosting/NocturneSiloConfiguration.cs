using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Storage;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Nocturne.Grains.Hosting;

/// <summary>
/// The one place that turns configuration into a silo, shared by the API host
/// (which co-hosts a silo) and the headless silo host, so that both join the same cluster
/// with the same storage.
/// </summary>
public static class NocturneSiloConfiguration
{
    /// <summary>PostgreSQL connection string: <c>ConnectionStrings:Postgres</c>.</summary>
    public static string PostgresConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Postgres") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "No PostgreSQL connection string. Set ConnectionStrings__Postgres (deploy/local/up.sh does this for you).");

    public static ISiloBuilder AddNocturne(this ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(NocturneClusterOptions.Section).Get<NocturneClusterOptions>() ?? new NocturneClusterOptions();
        var postgres = PostgresConnectionString(configuration);

        switch (cluster.Mode)
        {
            case ClusteringMode.Localhost:
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
                break;
            case ClusteringMode.Redis:
                var redis = configuration.GetConnectionString("Redis") is { Length: > 0 } r
                    ? r
                    : throw new InvalidOperationException("Cluster:Mode=Redis needs ConnectionStrings__Redis");
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ServiceId = cluster.ServiceId;
                    o.ClusterId = cluster.ClusterId;
                });
                silo.ConfigureEndpoints(cluster.ParsedAdvertisedAddress(), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: false);
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
                silo.Services.AddHostedService<MembershipTableKeeper>();
                break;
            default:
                throw new InvalidOperationException($"Unknown Cluster:Mode '{cluster.Mode}'");
        }

        // Plain JSON in the state table: readable with psql and free of CLR type names.
        silo.UseSystemTextJsonGrainStorageSerializer();
        silo.AddAdoNetGrainStorage(NocturneStorage.ProviderName, o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = postgres;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = postgres;
        });

        silo.AddIncomingGrainCallFilter<StorageExceptionCallFilter>();

        // With PostgreSQL and Redis both gone, a graceful leave cannot be recorded anywhere:
        // stop within a bounded time rather than retrying the membership table for half a minute.
        silo.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        silo.Services.AddSingleton(new PostgresConnection(postgres));
        silo.Services.AddSingleton(ActivationLoadGate.For(postgres));
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton(new Authorization.AccessTokenCipher(configuration));
        silo.Services.AddSingleton<Authorization.SiteAccessNotices>();
        silo.Services.AddSingleton<Tenants.TenantStore>();
        silo.Services.AddSingleton<Documents.DocumentCommitQueue>();
        silo.Services.AddSingleton<Documents.DocumentStore>();
        silo.Services.AddSingleton<Documents.DocumentQueries>();
        silo.Services.AddSingleton<Statistics.StatisticsQueries>();
        silo.Services.AddSingleton<Alarms.NewestReadings>();
        silo.Services.AddSingleton<Clinics.ClinicStore>();
        silo.Services.AddSingleton<Documents.SiteExport>();
        silo.Services.AddSingleton<StateSpans.StateSpanStore>();
        silo.Services.AddSingleton<StateSpans.StateSpanQueries>();
        silo.Services.AddSingleton<StateSpans.SpanHistory>();
        silo.Services.AddSingleton<StateSpans.ChartDataSource>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaVersionGate>();
        silo.Services.AddConnectors(configuration);
        silo.Services.AddSingleton<Import.ImportProgressStore>();
        silo.Services.AddSingleton<Import.SiteImporter>();
        silo.Services.AddSingleton<Import.SiteImportJobs>();
        return silo;
    }
}
