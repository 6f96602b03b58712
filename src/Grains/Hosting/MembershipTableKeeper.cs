using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nocturne.Grains.Hosting;

/// <summary>
/// Cluster mode: puts the membership table back when Redis lost it (a restart without its
/// append-only file, a flush). Without this every silo logs "membership table version is missing"
/// forever and can neither admit a new silo nor bury a dead one. Each silo recreates the table's
/// version if it is gone and writes its own row again; the others' rows follow from their keepers.
/// The recreated table restarts at a low version, which running silos treat as older than what
/// they have seen: they keep serving and stay ready, but admitting a new silo after such a loss
/// needs the old ones restarted. Redis's append-only file (deploy/) is what prevents the loss.
/// </summary>
public sealed partial class MembershipTableKeeper(
    IMembershipTable table,
    ILocalSiloDetails localSilo,
    ILogger<MembershipTableKeeper> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private readonly DateTime _startTime = DateTime.UtcNow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, stoppingToken);
                try
                {
                    await KeepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Redis still away or the table mid-change: readiness reports it; try again next round.
                    // Never let this loop end the host.
                    LogRedisUnavailable(logger, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task KeepAsync(CancellationToken cancellationToken)
    {
        MembershipTableData current;
        try
        {
            current = await table.ReadAllAsync(cancellationToken);
        }
        catch (Exception ex) when (ex.GetType().Name == "RedisClusteringException")
        {
            // The table's version row is gone: Redis lost the whole table.
            LogRestoring(logger);
            await table.InitializeMembershipTableAsync(tryInitTableVersion: true, cancellationToken);
            current = await table.ReadAllAsync(cancellationToken);
        }

        // A row of ours marked Dead stays (the silo then stops itself); only a missing row is written back.
        if (current.TryGet(localSilo.SiloAddress) is not null)
        {
            return;
        }

        var entry = new MembershipEntry
        {
            SiloAddress = localSilo.SiloAddress,
            Status = SiloStatus.Active,
            ProxyPort = localSilo.GatewayAddress?.Endpoint.Port ?? 0,
            HostName = localSilo.DnsHostName,
            SiloName = localSilo.Name,
            RoleName = "",
            StartTime = _startTime,
            IAmAliveTime = DateTime.UtcNow,
        };
        if (await table.InsertRowAsync(entry, current.Version.Next(), cancellationToken))
        {
            LogRestored(logger, localSilo.SiloAddress.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership table is missing from Redis; recreating it")]
    private static partial void LogRestoring(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} re-registered in the recreated membership table")]
    private static partial void LogRestored(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership keeper cannot reach Redis ({Error})")]
    private static partial void LogRedisUnavailable(ILogger logger, string error);
}
