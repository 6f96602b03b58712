using Nocturne.Grains.Hosting;

// A headless silo: it adds grain capacity to a cluster (Cluster:Mode=Redis)
// without serving HTTP. The API hosts also run silos; this one only hosts grains.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.AddNocturne(builder.Configuration));
await builder.Build().RunAsync();
