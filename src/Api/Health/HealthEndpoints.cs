using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Nocturne.Api.Authorization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Nocturne.Api.Health;

/// <summary>
/// <c>/health/live</c>: the process serves HTTP. <c>/health/ready</c>: it can also reach
/// PostgreSQL and its silo is an active cluster member; load balancers route on this one.
/// Both are anonymous and reveal no patient data.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddNocturneHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<PostgresAvailability>();
        services.AddHostedService<PostgresAvailabilityMonitor>();
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [ReadyTag])
            .AddCheck<ClusterMembershipHealthCheck>("cluster", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapNocturneHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .Infrastructure();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .Infrastructure();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        if (context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            // As every other 503 here: a load balancer or client polling readiness knows when to look again.
            context.Response.Headers.RetryAfter = "5";
        }

        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
