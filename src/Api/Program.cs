using Nocturne.Api.Apis;
using Nocturne.Api.Authorization;
using Nocturne.Api.Clinics;
using Nocturne.Api.Errors;
using Nocturne.Api.Health;
using Nocturne.Api.Hosting;
using Nocturne.Api.Observability;
using Nocturne.Api.Push;
using Nocturne.Api.Push.SocketIo;
using Nocturne.Api.Routing;
using Nocturne.Api.Tenancy;
using Nocturne.Api.WebApp;
using Nocturne.Grains.Hosting;
using Nocturne.Grains.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

switch (args.FirstOrDefault())
{
    case "migrate":
        return await MigrateCommand.RunAsync(args[1..]);
    case "tenant":
        return await TenantCommand.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
builder.ConfigureNocturneKestrel();
// Request lines carry the query string and path, where Nightscout clients put ?token=, ?secret=
// and /authorization/request/{token}: framework request logging never goes below Warning.
// None (not Warning) also keeps hosting from opening its log scope, which holds the request path.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.Warning);
if (string.Equals(builder.Configuration["LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase))
{
    // One JSON object per line with the request's SiteId and RequestId (RequestTelemetryMiddleware's scope).
    builder.Logging.AddJsonConsole(o => (o.IncludeScopes, o.UseUtcTimestamp, o.TimestampFormat) = (true, true, "yyyy-MM-ddTHH:mm:ss.fffZ"));
}

builder.UseOrleans(silo => silo.AddNocturne(builder.Configuration));
builder.Services.AddNocturneTelemetry(builder.Configuration, "nocturne-api",
    metrics => metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter(),
    tracing => tracing.AddAspNetCoreInstrumentation(o => o.EnrichWithHttpResponse = TraceRedaction.Apply));

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.Configure<TenancyOptions>(builder.Configuration.GetSection(TenancyOptions.Section));
builder.Services.AddSingleton<AuthFailureThrottle>();
builder.Services.AddSingleton<SiteGrantCache>();
builder.Services.AddSingleton<OperatorKey>();
builder.Services.AddSingleton<WebAppFiles>();
builder.Services.AddSingleton<ClinicBoardNotice>();
builder.Services.AddNocturneHealthChecks();
builder.Services.AddHostedService<DefaultSiteBootstrapper>();
builder.Services.Configure<PushOptions>(builder.Configuration.GetSection(PushOptions.Section));
builder.Services.AddSingleton<SitePushRelay>();
builder.Services.AddSingleton<Nocturne.Api.Push.SocketIo.SocketIoPollingSessions>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SitePushRelay>());
builder.Services.AddSignalR();
builder.Services.AddOpenApi();
builder.Services.AddRequestDecompression();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new Nocturne.Api.Documents.StorableStringConverter()));

var app = builder.Build();

app.UseMiddleware<RequestTelemetryMiddleware>();
app.UseTrustedProxies();
app.UseMiddleware<ErrorHandlingMiddleware>();
app.UseStatusCodePages(async context =>
{
    var response = context.HttpContext.Response;
    if (response.ContentLength is null && string.IsNullOrEmpty(response.ContentType) && response.StatusCode >= 400)
    {
        await ErrorHandlingMiddleware.WriteAsync(context.HttpContext, response.StatusCode,
            Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(response.StatusCode));
    }
});
app.UseMiddleware<QueryTextGuardMiddleware>();
app.UseMiddleware<SiteResolutionMiddleware>();
app.UseMiddleware<SiteCorsMiddleware>();
app.UseMiddleware<FormatExtensionMiddleware>();
app.Use(HeadAsGet.BeforeRouting);
app.UseRouting();
app.Use(HeadAsGet.AfterRouting);
app.Use(RequestBodyLimit.ApplyAfterRouting);
app.UseRequestDecompression();
app.UseMiddleware<PostgresOutageMiddleware>();
app.UseWebSockets();
app.UseMiddleware<NightscoutAuthorizationMiddleware>();
app.UseMiddleware<ClinicSiteGuardMiddleware>();

app.MapOpenApi("/openapi/{documentName}.json").Infrastructure();
app.MapNocturneHealth();
app.MapPrometheusScrapingEndpoint("/metrics").WithTags("Operator").OperatorOnly();
app.MapStatusApi();
app.MapVerifyAuthApi();
app.MapAuthorizationApi();
app.MapEntriesApi();
app.MapCollectionsApi();
app.MapEntriesToolsApi();
app.MapV2Api();
app.MapPebbleApi();
app.MapLoopApi();
app.MapStatisticsApi();
app.MapWebApp();
app.MapClinicAdminApi();
app.MapClinicSharesApi();
app.MapClinicApi();
app.MapConnectorsApi();
app.MapStateSpansApi();
app.MapChartDataApi();
app.MapV3VersionApi();
app.MapV3Api();
app.MapTenantAdminApi();
app.MapExportApi();
app.MapImportApi();
app.MapNotificationsApi();
app.MapSocketIo();
// WebSockets and server-sent events only: on those the hub sees the very request the authorization
// middleware checked (long polling hands the hub a copy without it).
app.MapHub<SiteHub>(PushRoutes.SiteHub, o => o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets
    | Microsoft.AspNetCore.Http.Connections.HttpTransportType.ServerSentEvents).RequirePermission(FollowerPermission.Read);
app.MapHub<ClinicHub>(PushRoutes.ClinicHub, o => o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets
    | Microsoft.AspNetCore.Http.Connections.HttpTransportType.ServerSentEvents).RequirePermission(FollowerPermission.ClinicBoard);

await app.RunAsync();
return 0;

/// <summary>Entry point type, public so that integration tests can host the app.</summary>
public partial class Program;
