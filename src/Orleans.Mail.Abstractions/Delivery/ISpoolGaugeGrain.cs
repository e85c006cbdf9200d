namespace Orleans.Mail.Delivery;

/// <summary>How far behind the spool is, for back-pressure at the gateways. One activation (key 0).</summary>
[Alias("orleans.mail.ISpoolGaugeGrain")]
public interface ISpoolGaugeGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Messages waiting in the spool: queued, deferred or in flight (drafts of campaigns not started are not
    /// counted). Counted at most every 2 s; the answer may be that old.
    /// </summary>
    [Alias("GetBacklog")]
    Task<long> GetBacklog();
}
