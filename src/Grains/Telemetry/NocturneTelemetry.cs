using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Nocturne.Grains.Telemetry;

/// <summary>
/// OpenTelemetry for both hosts: metrics from our meter, Orleans and Npgsql always (the API adds
/// ASP.NET Core and its Prometheus endpoint); traces and OTLP export only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, so an unobserved silo pays nothing for spans.
/// </summary>
public static class NocturneTelemetry
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static OpenTelemetry.OpenTelemetryBuilder AddNocturneTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName,
        Action<MeterProviderBuilder>? metrics = null, Action<TracerProviderBuilder>? tracing = null)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(meters =>
            {
                meters.AddMeter(NocturneMetrics.MeterName, "Microsoft.Orleans", "Npgsql");
                metrics?.Invoke(meters);
                if (otlp)
                {
                    meters.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            builder.WithTracing(traces =>
            {
                traces.AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application").AddNpgsql();
                tracing?.Invoke(traces);
                traces.AddOtlpExporter();
            });
        }

        return builder;
    }
}
