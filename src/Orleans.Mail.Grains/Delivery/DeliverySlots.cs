using Microsoft.Extensions.Options;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// The SMTP sessions this silo may run at once. A domain grain takes a slot before it claims a batch and
/// gives it back when the batch is done, so messages are leased only when a worker can start on them at
/// once: nothing waits in a worker's queue while its lease runs down.
/// </summary>
public sealed class DeliverySlots(IOptions<PacingOptions> options)
{
    private int _inUse;

    /// <summary>The silo's limit (<see cref="PacingOptions.MaxSessionsPerSilo"/>).</summary>
    public int Capacity => options.Value.MaxSessionsPerSilo;

    /// <summary>Slots taken now.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Takes a slot if one is free; never waits.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _inUse);
            if (current >= Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inUse, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives a slot back.</summary>
    public void Release() => Interlocked.Decrement(ref _inUse);
}
