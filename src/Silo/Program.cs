using Nocturne.Grains.Hosting;
using Nocturne.Grains.Telemetry;

// A headless silo: it adds grain capacity to a cluster (Cluster:Mode=Redis)
// without serving HTTP. The API hosts also run silos; this one only hosts grains.
var builder = Host.CreateApplicationBuilder(args);
if (string.Equals(builder.Configuration["LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase))
{
    builder.Logging.AddJsonConsole(o => (o.IncludeScopes, o.UseUtcTimestamp, o.TimestampFormat) = (true, true, "yyyy-MM-ddTHH:mm:ss.fffZ"));
}

builder.UseOrleans(silo => silo.AddNocturne(builder.Configuration));
// No HTTP here: its metrics (Orleans, Npgsql, grain-side Nocturne instruments) reach operators through OTLP.
builder.Services.AddNocturneTelemetry(builder.Configuration, "nocturne-silo");
await builder.Build().RunAsync();
