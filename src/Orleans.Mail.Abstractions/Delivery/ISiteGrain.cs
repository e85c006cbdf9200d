using Orleans.Concurrency;

namespace Orleans.Mail.Delivery;

/// <summary>
/// The one pacer of a destination site, cluster-wide. A site is what a receiver sees as one sender budget:
/// a mailbox provider (<c>provider:google</c>, all domains whose MX hosts are Google's), a set of MX hosts
/// (<c>mx:a.example.net,b.example.net</c>), or a single domain. It claims due messages of its domains from
/// the spool within the site's limits (connections, messages/s, messages per connection) and hands them
/// to delivery workers, one batch per domain and connection.
/// </summary>
[Alias("orleans.mail.ISiteGrain")]
public interface ISiteGrain : IGrainWithStringKey
{
    /// <summary>
    /// Tells the pacer that these recipient domains (lower-case A-labels) of the site may have due work;
    /// starts its pump if idle. Cheap and idempotent.
    /// </summary>
    [Alias("Wake")]
    Task Wake(IReadOnlyList<string> domains);

    /// <summary>
    /// Like <see cref="Wake"/>, for domains where transactional mail has just been queued: they are claimed
    /// from at once (not at the pump's next tick), ahead of every campaign lane, still within the site's
    /// limits. One-way: the caller does not wait for the claim.
    /// </summary>
    [Alias("Expedite"), OneWay]
    Task Expedite(IReadOnlyList<string> domains);

    /// <summary>
    /// Messages waiting for the site (queued or deferred) as last counted by its pacer (every 10 s while it
    /// works; 0 before the first count). Answered at once, between the pacer's own turns.
    /// </summary>
    [Alias("GetBacklog"), AlwaysInterleave]
    Task<long> GetBacklog();

    /// <summary>The pacer's state, limits, load and latest replies.</summary>
    [Alias("GetStatus")]
    Task<SiteStatus> GetStatus();

    /// <summary>Sets (or with null clears) the operator's limits for the site; kept in grain storage.</summary>
    [Alias("SetPolicy")]
    Task<SiteStatus> SetPolicy(SitePolicy? policy);

    /// <summary>Stops new connections to the site until <see cref="Resume"/> or, with a duration, until it ends; messages wait queued (no attempts).</summary>
    /// <param name="duration">How long; null: until resumed.</param>
    /// <param name="reason">Shown in the status.</param>
    [Alias("Suspend")]
    Task<SiteStatus> Suspend(TimeSpan? duration, string reason);

    /// <summary>Ends a suspension or rest at once.</summary>
    [Alias("Resume")]
    Task<SiteStatus> Resume();
}
