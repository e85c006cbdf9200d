using Orleans.Mail.Delivery;
using Orleans.Placement;

namespace Orleans.Mail.Grains.Delivery.Placement;

/// <summary>
/// Places the connection slots of a site round the silos: slot n of a site goes to silo (h + n) mod s of the s
/// compatible silos in address order, h being a stable hash of the site. So n slots of one site land on
/// min(n, s) different silos, as evenly as the counts allow, and different sites start at different silos.
/// Implemented by <see cref="SlotSpreadPlacementDirector"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleans.mail.SlotSpreadPlacement")]
public sealed class SlotSpreadPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static SlotSpreadPlacement Instance { get; } = new();
}

/// <summary>Marks a grain whose string key is a <see cref="DeliverySlotKey"/> for <see cref="SlotSpreadPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SlotSpreadPlacementAttribute() : PlacementAttribute(SlotSpreadPlacement.Instance);
