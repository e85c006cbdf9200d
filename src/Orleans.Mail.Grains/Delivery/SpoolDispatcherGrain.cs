using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Sites;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// The cluster's one dispatcher (key 0). Each tick returns expired leases to the queue and wakes the pacer
/// of every site with due work, naming its domains that have some (a domain's site comes from its MX hosts,
/// <see cref="SiteResolver"/>). A reminder (stored in PostgreSQL) re-activates it on a surviving silo
/// if its silo dies; every silo also activates it at start-up.
/// </summary>
public sealed partial class SpoolDispatcherGrain(
    DeliveryQueue queue, SiteResolver sites, IOptions<PacingOptions> options, ILogger<SpoolDispatcherGrain> logger) : Grain, ISpoolDispatcherGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";
    private bool _reminderRegistered;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.DispatchIntervalMs);
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TimeSpan.Zero, interval) { Interleave = false, KeepAlive = true });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task EnsureRunning()
    {
        if (!_reminderRegistered)
        {
            await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            _reminderRegistered = true;
        }
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) => EnsureRunning();

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            var released = await queue.ReleaseExpiredLeasesAsync(cancellationToken);
            if (released > 0)
            {
                LogLeasesReleased(logger, released);
            }

            var domains = await queue.DomainsWithDueWorkAsync(cancellationToken);
            var bySite = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var domain in domains)
            {
                var site = await sites.SiteOfAsync(domain, cancellationToken);
                (bySite.TryGetValue(site, out var members) ? members : bySite[site] = []).Add(domain);
            }

            await Task.WhenAll(bySite.Select(pair => GrainFactory.GetGrain<ISiteGrain>(pair.Key).Wake(pair.Value)));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogTickFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Returned {Count} messages with expired leases to the queue")]
    private static partial void LogLeasesReleased(ILogger logger, int count);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Dispatcher tick failed; retrying next tick")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
