using Orleans.Mail.Delivery;
using Orleans.Mail.Grains.Delivery.Placement;
using Orleans.Runtime;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// A site's connection slot (<see cref="IDeliverySlotGrain"/>), placed by <see cref="SlotSpreadPlacementAttribute"/>
/// so the slots of a site sit on different silos; it hands the batch to a delivery worker on its own silo,
/// whose SMTP session pool it then uses. After each batch it checks that it still sits where the placement
/// puts it now: a slot placed while a silo was joining, or before one joined, moves at its next call.
/// </summary>
[SlotSpreadPlacement]
public sealed class DeliverySlotGrain(IClusterMembershipService membership, ILocalSiloDetails localSilo) : Grain, IDeliverySlotGrain
{
    /// <inheritdoc />
    public async Task<DeliveryBatchResult> Deliver(DeliveryBatch batch)
    {
        var result = await GrainFactory.GetGrain<IDeliveryWorkerGrain>(0).Deliver(batch);
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .OrderBy(s => s.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
        if (active.Length > 0 && !active[SlotSpreadPlacementDirector.SiloIndex(this.GetPrimaryKeyString(), active.Length)].Equals(localSilo.SiloAddress))
        {
            // The cluster changed since this slot was placed: re-placed on its next call.
            DeactivateOnIdle();
        }

        return result;
    }
}
