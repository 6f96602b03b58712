using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// The real API host (with its co-hosted silo) on the test PostgreSQL, on its own silo ports
/// and its own Orleans service id so that parallel test classes stay apart.
/// </summary>
public sealed class NocturneApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public NocturneApiFactory(string postgres, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        ServiceId = TestServices.UniqueServiceId("api");
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["Cluster:Mode"] = "Localhost",
            ["Cluster:ServiceId"] = ServiceId,
            ["Cluster:ClusterId"] = ServiceId,
            ["Cluster:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cluster:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Health:ProbeIntervalMs"] = "500",
            ["Logging:LogLevel:Default"] = "Warning",
            [TestServices.TokenKeySetting] = TestServices.TokenKey,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string ServiceId { get; }

    /// <summary>The co-hosted silo's gateway, for Orleans clients such as the tenant CLI.</summary>
    public string GatewayPort => _settings["Cluster:GatewayPort"]!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // UseSetting (not ConfigureAppConfiguration) so that Program sees the values while it
        // configures the silo, before the host is built.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
