using Microsoft.Extensions.Options;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// The SMTP sessions the site pacers of this silo may run at once. A site grain takes a slot before it claims
/// a batch and gives it back when the batch is done, so messages are leased only when a worker can start on
/// them at once: nothing waits in a worker's queue while its lease runs down. An eighth of the slots (at least
/// one) is kept for claims made because transactional mail is waiting, so a campaign filling the silo never
/// makes a password reset wait for a batch to finish.
/// </summary>
public sealed class DeliverySlots(IOptions<PacingOptions> options)
{
    private int _inUse;

    /// <summary>The silo's limit (<see cref="PacingOptions.MaxSessionsPerSilo"/>).</summary>
    public int Capacity => options.Value.MaxSessionsPerSilo;

    /// <summary>Slots taken now.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Slots only <see cref="TryAcquire(bool)"/> with <c>urgent</c> may take: an eighth of the capacity, at least one.</summary>
    public int Reserved => Math.Max(1, Capacity / 8);

    /// <summary>Takes a slot for ordinary (campaign) work if one is free outside the reserve; never waits.</summary>
    public bool TryAcquire() => TryAcquire(urgent: false);

    /// <summary>Takes a slot if one is free; <paramref name="urgent"/> claims (transactional mail waiting) may use the reserve too. Never waits.</summary>
    public bool TryAcquire(bool urgent)
    {
        var limit = urgent ? Capacity : Capacity - Reserved;
        while (true)
        {
            var current = Volatile.Read(ref _inUse);
            if (current >= limit)
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
