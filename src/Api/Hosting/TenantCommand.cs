using System.Globalization;
using Microsoft.Extensions.Options;
using Nocturne.Api.Apis;
using Nocturne.Api.Tenancy;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Hosting;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Storage;
using StackExchange.Redis;

namespace Nocturne.Api.Hosting;

/// <summary>
/// <c>Nocturne.Api tenant create|list|show|disable|enable|delete ...</c>: the operator CLI. It joins
/// the running cluster as an Orleans client (same configuration as the server), so every change
/// goes through the site's grain exactly as the operator API's would.
/// </summary>
public static class TenantCommand
{
    private const string Usage = """
        usage: tenant create <id> [--name "Display name"] [--secret <api-secret>]
               tenant list
               tenant show <id>
               tenant disable <id> | tenant enable <id>
               tenant delete <id> --confirm <id>
               tenant export <id> --out <file.zip>
        """ + "\n" + ImportCommand.Usage;

    public static async Task<int> RunAsync(string[] args, IEnumerable<KeyValuePair<string, string?>>? settings = null, TextWriter? output = null, TextWriter? errors = null)
    {
        var stdout = output ?? Console.Out;
        var stderr = errors ?? Console.Error;
        if (args.Length == 0)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        // The CLI's output is its result; host chatter would bury the secret it prints.
        builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", "Warning"), new("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning")]);
        if (args[0] == "export")
        {
            return await ExportAsync(args, builder.Configuration, stdout, stderr);
        }

        var cluster = builder.Configuration.GetSection(NocturneClusterOptions.Section).Get<NocturneClusterOptions>() ?? new NocturneClusterOptions();
        builder.UseOrleansClient(client =>
        {
            if (cluster.Mode == ClusteringMode.Redis)
            {
                client.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (cluster.ServiceId, cluster.ClusterId));
                client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(builder.Configuration.GetConnectionString("Redis") ?? ""));
            }
            else
            {
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
            }
        });
        builder.Services.Configure<TenancyOptions>(builder.Configuration.GetSection(TenancyOptions.Section));
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Exception ex) when (ex is Orleans.Runtime.OrleansException or SiloUnavailableException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await stderr.WriteLineAsync($"Cannot reach the Nocturne cluster (gateway port {cluster.GatewayPort}): start the server first. {ex.GetBaseException().Message}");
            return 1;
        }

        if (args[0] == "import")
        {
            try
            {
                return await ImportCommand.RunAsync(args, host.Services.GetRequiredService<IGrainFactory>(), NocturneSiloConfiguration.PostgresConnectionString(builder.Configuration), stdout, stderr);
            }
            finally
            {
                await host.StopAsync();
            }
        }

        var registry = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key);
        var tenancy = host.Services.GetRequiredService<IOptions<TenancyOptions>>().Value;
        try
        {
            return await ExecuteAsync(args, registry, tenancy, stdout, stderr);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<int> ExecuteAsync(string[] args, ITenantRegistryGrain registry, TenancyOptions tenancy, TextWriter stdout, TextWriter stderr)
    {
        int Print(string line)
        {
            stdout.WriteLine(line);
            return 0;
        }

        int NotFound(string id)
        {
            stderr.WriteLine($"No site '{id}'");
            return 1;
        }

        var id = args.Length > 1 ? args[1] : null;
        switch (args[0])
        {
            case "list":
                foreach (var site in await registry.ListAsync())
                {
                    await stdout.WriteLineAsync(Describe(site));
                }

                return 0;
            case "create" when id is not null:
                var result = await registry.CreateAsync(id, Option(args, "--name"), Option(args, "--secret"), settings: null);
                if (result.Status != ChangeStatus.Done)
                {
                    await stderr.WriteLineAsync(result.Message);
                    return 1;
                }

                await stdout.WriteLineAsync($"Created site {result.Value!.Site.Id}");
                await stdout.WriteLineAsync($"URL:        {(tenancy.MultiTenant ? TenantAdminApi.SiteUrl(id, tenancy, null) : "(single-site mode: set Tenancy__BaseDomain to serve several sites)")}");
                await stdout.WriteLineAsync($"Path URL:   /t/{id}/");
                await stdout.WriteLineAsync($"API secret: {result.Value.ApiSecret}");
                await stdout.WriteLineAsync("The API secret is shown only now; it is stored hashed.");
                return 0;
            case "show" when id is not null:
                return await registry.GetAsync(id) is { } shown ? Print(Describe(shown)) : NotFound(id);
            case "disable" when id is not null:
                return await registry.SetEnabledAsync(id, false) ? Print($"Site {id} disabled") : NotFound(id);
            case "enable" when id is not null:
                return await registry.SetEnabledAsync(id, true) ? Print($"Site {id} enabled") : NotFound(id);
            case "delete" when id is not null:
                if (Option(args, "--confirm") != id)
                {
                    await stderr.WriteLineAsync($"Deleting removes all of the site's data. Repeat the id: tenant delete {id} --confirm {id}");
                    return 2;
                }

                return await registry.DeleteAsync(id) ? Print($"Site {id} and all of its data deleted") : NotFound(id);
            default:
                await stderr.WriteLineAsync(Usage);
                return 2;
        }
    }

    // Export reads PostgreSQL directly (documents are only read, never written): it needs no running cluster.
    private static async Task<int> ExportAsync(string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        var id = args.Length > 1 ? args[1] : null;
        var path = Option(args, "--out");
        if (id is null || path is null)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        await using var postgres = new PostgresConnection(NocturneSiloConfiguration.PostgresConnectionString(configuration));
        var export = new SiteExport(postgres);
        if (!await export.SiteExistsAsync(id))
        {
            await stderr.WriteLineAsync($"No site '{id}'");
            return 1;
        }

        var temporary = path + ".partial";
        IReadOnlyDictionary<Collection, long> counts;
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            counts = await export.WriteZipAsync(id, file);
        }

        // Only a complete archive gets the requested name.
        File.Move(temporary, path, overwrite: true);
        foreach (var (collection, count) in counts)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{CollectionNames.Of(collection)}\t{count}"));
        }

        await stdout.WriteLineAsync($"Exported site {id} to {path}");
        return 0;
    }

    private static string Describe(SiteSummary site) =>
        string.Create(CultureInfo.InvariantCulture, $"{site.Id}\t{(site.Enabled ? "enabled" : "disabled")}\t{site.DisplayName}\tcreated {site.CreatedAt:yyyy-MM-dd}");

    internal static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
