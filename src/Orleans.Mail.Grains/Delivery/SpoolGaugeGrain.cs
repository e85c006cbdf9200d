using Orleans.Mail.Delivery;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// Counts the spool's backlog for every gateway (<see cref="ISpoolGaugeGrain"/>): one count every 2 s at most,
/// however many gateways ask, so the count's cost (index-only scans of the ready and leased rows) stays flat.
/// </summary>
public sealed class SpoolGaugeGrain(DeliveryQueue queue, TimeProvider time) : Grain, ISpoolGaugeGrain
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);
    private long _backlog;
    private DateTimeOffset _countedAt = DateTimeOffset.MinValue;

    /// <inheritdoc />
    public async Task<long> GetBacklog()
    {
        var now = time.GetUtcNow();
        if (now - _countedAt >= MaxAge)
        {
            _backlog = await queue.CountBacklogAsync();
            _countedAt = now;
        }

        return _backlog;
    }
}
