using Microsoft.Extensions.Options;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// The SMTP sessions the site pacers of this silo may run at once. A site grain takes a slot before it claims
/// a batch and gives it back when the batch is done, so messages are leased only when a worker can start on
/// them at once: nothing waits in a worker's queue while its lease runs down. An eighth of the slots (at least
/// one) is kept for claims made because transactional mail is waiting, so a campaign filling the silo never
/// makes a password reset wait for a batch to finish. And while transactional mail is late
/// (<see cref="NoteTransactionalDemand"/> within the last <see cref="PacingOptions.CampaignYieldMs"/>), campaign
/// claims may hold at most <see cref="PacingOptions.CampaignSessionsWhileTransactional"/> slots: on a busy silo
/// the CPU, not the connections, is what transactional mail waits for, and fewer campaign sessions leave it some.
/// </summary>
/// <param name="options">The capacity and the yield settings.</param>
/// <param name="time">The clock; null: the system clock.</param>
public sealed class DeliverySlots(IOptions<PacingOptions> options, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _inUse;
    private long _transactionalUntilTicks;

    /// <summary>The silo's limit (<see cref="PacingOptions.MaxSessionsPerSilo"/>).</summary>
    public int Capacity => options.Value.MaxSessionsPerSilo;

    /// <summary>Slots taken now.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Slots only <see cref="TryAcquire(bool)"/> with <c>urgent</c> may take: an eighth of the capacity, at least one.</summary>
    public int Reserved => Math.Max(1, Capacity / 8);

    /// <summary>
    /// The slots ordinary (campaign) claims may hold now: the capacity less the reserve, or at most
    /// <see cref="PacingOptions.CampaignSessionsWhileTransactional"/> while transactional mail is late.
    /// </summary>
    public int CampaignLimit
    {
        get
        {
            var limit = Capacity - Reserved;
            var yielding = options.Value.CampaignSessionsWhileTransactional;
            return yielding > 0 && _time.GetUtcNow().UtcTicks < Volatile.Read(ref _transactionalUntilTicks) ? Math.Min(limit, yielding) : limit;
        }
    }

    /// <summary>
    /// Notes that transactional mail for one of this silo's sites reached its claim late: campaign claims yield for the next
    /// <see cref="PacingOptions.CampaignYieldMs"/> ms.
    /// </summary>
    public void NoteTransactionalDemand() =>
        Volatile.Write(ref _transactionalUntilTicks, _time.GetUtcNow().UtcTicks + TimeSpan.TicksPerMillisecond * options.Value.CampaignYieldMs);

    /// <summary>Takes a slot for ordinary (campaign) work if one is free within <see cref="CampaignLimit"/>; never waits.</summary>
    public bool TryAcquire() => TryAcquire(urgent: false);

    /// <summary>Takes a slot if one is free; <paramref name="urgent"/> claims (transactional mail waiting) may use the reserve too. Never waits.</summary>
    public bool TryAcquire(bool urgent)
    {
        var limit = urgent ? Capacity : CampaignLimit;
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
