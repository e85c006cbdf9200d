using System.Text;
using Orleans.Mail.Delivery;
using Orleans.Runtime.Placement;

namespace Orleans.Mail.Grains.Delivery.Placement;

/// <summary>
/// The placement director of <see cref="SlotSpreadPlacement"/>. A key that is not a slot key goes to a
/// silo chosen by its hash. Activations stay where they were placed: silos that join later get slots as
/// earlier ones are deactivated (idle) or their silo fails.
/// </summary>
public sealed class SlotSpreadPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0)
        {
            throw new OrleansException($"No silo can host {target.GrainIdentity}.");
        }

        var ordered = silos.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        return Task.FromResult(ordered[SiloIndex(target.GrainIdentity.Key.ToString(), ordered.Length)]);
    }

    /// <summary>Which of <paramref name="silos"/> silos (in address order) hosts the slot keyed <paramref name="key"/>.</summary>
    public static int SiloIndex(string key, int silos)
    {
        var (site, slot) = DeliverySlotKey.TryParse(key, out var s, out var n) ? (s, n) : (key, 0);
        return (int)((StableHash(site) + (ulong)slot) % (ulong)silos);
    }

    // FNV-1a over the UTF-8 bytes: the same on every silo and every run (string.GetHashCode is not).
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}
