using Microsoft.Extensions.Logging;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.Grains.Delivery.Placement;
using Orleans.Runtime;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// A site's connection slot (<see cref="IDeliverySlotGrain"/>), placed by <see cref="SlotSpreadPlacementAttribute"/>
/// so the slots of a site sit on different silos; it hands the batch to a delivery worker on its own silo,
/// whose SMTP session pool it then uses. After each batch it checks that it still sits where the placement
/// puts it now: a slot placed before a silo joined migrates to where it belongs.
/// The slot's SMTP session lives no longer than its activation: one left idle in this silo's pool while the
/// slot runs on another silo would be a connection over the site's limit.
/// </summary>
[SlotSpreadPlacement]
public sealed partial class DeliverySlotGrain(
    IClusterMembershipService membership,
    IClusterManifestProvider manifests,
    ILocalSiloDetails localSilo,
    SmtpSessionPool pool,
    ILogger<DeliverySlotGrain> logger)
    : Grain, IDeliverySlotGrain
{
    /// <inheritdoc />
    public async Task<DeliveryBatchResult> Deliver(DeliveryBatch batch)
    {
        var result = await GrainFactory.GetGrain<IDeliveryWorkerGrain>(0).Deliver(batch);
        if (PlacedNow() is { } target && !target.Equals(localSilo.SiloAddress))
        {
            // The cluster changed since this slot was placed. Its session here is closed before the site hears
            // back, so the next batch's session on the new silo never overlaps it. Migration (not deactivation)
            // moves it: calls already addressed here follow it instead of activating it here again.
            var key = this.GetPrimaryKeyString();
            var closed = await pool.CloseIdleAsync(key);
            LogMoving(logger, key, localSilo.SiloAddress, target, closed);
            MigrateOnIdle();
        }

        return result;
    }

    /// <summary>
    /// The silo <see cref="SlotSpreadPlacementDirector"/> would choose for this slot now, from the active silos
    /// whose grain manifest this silo has (what placement may choose from); null when there is none.
    /// </summary>
    private SiloAddress? PlacedNow()
    {
        var known = manifests.Current.Silos;
        var candidates = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && known.ContainsKey(m.SiloAddress))
            .Select(m => m.SiloAddress)
            .OrderBy(s => s.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
        return candidates.Length == 0 ? null : candidates[SlotSpreadPlacementDirector.SiloIndex(this.GetPrimaryKeyString(), candidates.Length)];
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Whatever the reason (idle, duplicate activation, shutdown), the next activation may be on another silo.
        await pool.CloseIdleAsync(this.GetPrimaryKeyString());
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information,
        Message = "Connection slot {Slot} moves from {From} to {To} after a membership change ({Closed} idle session(s) closed here)")]
    private static partial void LogMoving(ILogger logger, string slot, SiloAddress from, SiloAddress to, int closed);
}
