namespace Nocturne.Api.Health;

/// <summary>Probes PostgreSQL on a fixed interval (faster while it is down).</summary>
public sealed class PostgresAvailabilityMonitor(PostgresAvailability availability, IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(configuration.GetValue("Health:ProbeIntervalMs", 5000));
        var downInterval = TimeSpan.FromMilliseconds(Math.Min(interval.TotalMilliseconds, 1000));
        while (!stoppingToken.IsCancellationRequested)
        {
            var up = await availability.ProbeAsync(stoppingToken);
            try
            {
                await Task.Delay(up ? interval : downInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
