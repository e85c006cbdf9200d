namespace Orleans.Mail.Delivery;

/// <summary>
/// One connection slot of a site: where a site's batch runs. A site with a connection limit of n uses slots
/// 0…n−1, at most one batch per slot at a time, and the slots of a site are placed round the cluster's silos
/// (<c>SlotSpreadPlacement</c>), so a hot site's SMTP sessions are spread over every silo rather than run
/// where its pacer lives. Key: <see cref="DeliverySlotKey"/>.
/// </summary>
[Alias("orleans.mail.IDeliverySlotGrain")]
public interface IDeliverySlotGrain : IGrainWithStringKey
{
    /// <summary>Runs the batch on this slot's silo (see <see cref="IDeliveryWorkerGrain.Deliver"/>).</summary>
    [Alias("Deliver")]
    [ResponseTimeout("00:35:00")]
    Task<DeliveryBatchResult> Deliver(DeliveryBatch batch);
}

/// <summary>The key of a site's connection slot: <c>SITE#N</c> (N: the slot number, 0 or more).</summary>
public static class DeliverySlotKey
{
    /// <summary>The key of slot <paramref name="slot"/> of <paramref name="site"/>.</summary>
    public static string Of(string site, int slot) => $"{site}#{slot}";

    /// <summary>The site and slot number of a key made by <see cref="Of"/>; false for any other string.</summary>
    public static bool TryParse(string key, out string site, out int slot)
    {
        var hash = key.LastIndexOf('#');
        site = hash > 0 ? key[..hash] : string.Empty;
        slot = 0;
        return hash > 0 && int.TryParse(key.AsSpan(hash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out slot);
    }
}
