using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery;
using Orleans.Mail.Grains;

namespace Orleans.Mail.Silo.Dispatch;

/// <summary>
/// Every silo pings the cluster's one spool dispatcher every five dispatch intervals (5 s by default). When the
/// silo that held it dies, the next ping re-activates it on a live silo within seconds instead of at its
/// reminder's next tick (a minute): expired leases return and sites are woken again soon after a failure.
/// </summary>
public sealed partial class DispatcherKeeper(IGrainFactory grains, IOptions<PacingOptions> pacing, ILogger<DispatcherKeeper> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(pacing.Value.DispatchIntervalMs * 5);
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await grains.GetGrain<ISpoolDispatcherGrain>(0).EnsureRunning();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The cluster may be failing over; the next tick tries again.
                LogPingFailed(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Dispatcher ping failed: {Reason}")]
    private static partial void LogPingFailed(ILogger logger, string reason);
}
