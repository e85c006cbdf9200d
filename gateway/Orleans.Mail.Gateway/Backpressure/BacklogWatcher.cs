using Orleans.Mail.Delivery;

namespace Orleans.Mail.Gateway.Backpressure;

/// <summary>Asks the cluster for the spool backlog every second and keeps it in <see cref="SpoolBacklog"/>.</summary>
public sealed partial class BacklogWatcher(IClusterClient cluster, SpoolBacklog backlog, TimeProvider time, ILogger<BacklogWatcher> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        do
        {
            try
            {
                backlog.Update(await cluster.GetGrain<ISpoolGaugeGrain>(0).GetBacklog());
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The cluster may not be reachable yet (or for a moment): keep the last count.
                LogCountFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Spool backlog not counted this time: {Reason}")]
    private static partial void LogCountFailed(ILogger logger, string reason);
}
