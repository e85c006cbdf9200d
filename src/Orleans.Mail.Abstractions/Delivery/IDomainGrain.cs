namespace Orleans.Mail.Delivery;

/// <summary>
/// The one pacer of a destination domain, cluster-wide, keyed by the lower-case A-label domain. It claims
/// due messages from the spool within its limits (connections, messages/s, messages per connection) and
/// hands them to delivery workers.
/// </summary>
[Alias("orleans.mail.IDomainGrain")]
public interface IDomainGrain : IGrainWithStringKey
{
    /// <summary>Tells the pacer there may be due work; starts its pump if idle. Cheap and idempotent.</summary>
    [Alias("Wake")]
    Task Wake();
}
