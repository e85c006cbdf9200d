using System.ComponentModel.DataAnnotations;

namespace Orleans.Mail.Grains;

/// <summary>How fast each destination domain is fed. Bound from the <c>Pacing</c> section; applies to every domain for now.</summary>
public sealed class PacingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Pacing";

    /// <summary>Concurrent SMTP connections per domain, cluster-wide. Default 10.</summary>
    [Range(1, 1000)]
    public int MaxConnectionsPerDomain { get; set; } = 10;

    /// <summary>Messages per second per domain (a token bucket holding at most one second of tokens). Default 100.</summary>
    [Range(0.01, 100_000)]
    public double MessagesPerSecondPerDomain { get; set; } = 100;

    /// <summary>
    /// The burst a site's token bucket allows, in seconds of its rate: after a pause the pacer may send at most
    /// this many seconds' worth of messages at once, so any window of T seconds holds at most rate × (T + this).
    /// Default 1.
    /// </summary>
    [Range(0.05, 60)]
    public double BurstSeconds { get; set; } = 1.0;

    /// <summary>Messages one connection carries before it is closed and a new one opened. Default 100.</summary>
    [Range(1, 100_000)]
    public int MessagesPerConnection { get; set; } = 100;

    /// <summary>
    /// SMTP sessions (batches being delivered) one silo runs at once, over all domains. A domain claims
    /// work only while a slot is free. Default 64; at most 64, the worker activations per silo.
    /// </summary>
    [Range(1, 64)]
    public int MaxSessionsPerSilo { get; set; } = 64;

    /// <summary>
    /// Campaign batches on a site's last connections carry at most this many messages, so that transactional
    /// mail never waits behind a full campaign batch when every connection is busy: an eighth of the site's
    /// connection limit (at least one) when the limit is 2 or more. Transactional claims may use any connection.
    /// 0 turns it off (every campaign batch up to <see cref="MessagesPerConnection"/>). Default 5.
    /// </summary>
    [Range(0, 100_000)]
    public int ShortBatchMessages { get; set; } = 5;

    /// <summary>
    /// While transactional mail reaches its claim late on a silo (more than <see cref="TransactionalLateMs"/> after
    /// it was accepted: the silo is busy), campaign batches on that silo may hold at most this many SMTP sessions
    /// (<see cref="Delivery.DeliverySlots"/>), so campaigns leave the CPU to it; light transactional traffic on
    /// an idle silo never slows a campaign. 0 turns it off. Default 4.
    /// </summary>
    [Range(0, 64)]
    public int CampaignSessionsWhileTransactional { get; set; } = 4;

    /// <summary>How long, in ms, campaigns keep yielding after the last late transactional claim. Default 1,000.</summary>
    [Range(1, 600_000)]
    public int CampaignYieldMs { get; set; } = 1000;

    /// <summary>
    /// A transactional message (first attempt) claimed more than this many ms after it was accepted counts as
    /// late and makes the silo's campaigns yield (<see cref="CampaignSessionsWhileTransactional"/>). 0 turns it
    /// off. Default 250.
    /// </summary>
    [Range(0, 600_000)]
    public int TransactionalLateMs { get; set; } = 250;

    /// <summary>
    /// How long a domain is rested after a reputation deferral (Yahoo TSS04, Gmail 4.7.28), in s: no new
    /// connections to it, its messages wait queued (no attempts counted) and resume after the window.
    /// Default 7,200 (2 h).
    /// </summary>
    [Range(1, 7 * 24 * 3600)]
    public int ReputationRestSeconds { get; set; } = 7200;

    /// <summary>
    /// After a throttle signal (rate limit, "421 too many connections") a domain's connection limit and
    /// message rate are halved; each batch without one raises them again by this share of the ceiling
    /// (additive increase). Default 0.1.
    /// </summary>
    [Range(0.01, 1)]
    public double RecoveryStep { get; set; } = 0.1;

    /// <summary>
    /// After a "421 too many connections" a domain's connection limit becomes the number of sessions the host
    /// still had from us (idle pooled ones included, C12); it is raised by one after this many batches in a
    /// row without a throttle signal, up to <see cref="MaxConnectionsPerDomain"/>. Default 50.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ConnectionRecoveryBatches { get; set; } = 50;

    /// <summary>
    /// How long a site is suspended after a policy block of our sending IP (class <c>policy-block</c>), in s;
    /// afterwards one message is tried, and the site resumes only if it is delivered. Default 3,600 (1 h).
    /// </summary>
    [Range(1, 7 * 24 * 3600)]
    public int BlockSuspendSeconds { get; set; } = 3600;

    /// <summary>How often a busy domain's pump looks for due work, in ms. Default 100.</summary>
    [Range(10, 60_000)]
    public int PumpIntervalMs { get; set; } = 100;

    /// <summary>
    /// Back-pressure per destination: while a site has at least this many messages waiting (as its pacer last
    /// counted them, every 10 s), <c>SendMessage</c> to its domains answers <c>RESOURCE_EXHAUSTED</c> (retry hint
    /// <see cref="SiteBacklogRetrySeconds"/>) instead of adding to it. Campaign recipients are not refused per
    /// site (a list spans many); the gateway's spool-wide bound covers them. 0 turns it off. Default 1,000,000.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxSiteBacklogMessages { get; set; } = 1_000_000;

    /// <summary>The retry hint, in s, when a site is over <see cref="MaxSiteBacklogMessages"/>. Default 60.</summary>
    [Range(1, 3600)]
    public int SiteBacklogRetrySeconds { get; set; } = 60;

    /// <summary>How long a claimed message stays leased to its worker, in s; after that it returns to the queue. Must exceed the longest batch. Default 1,800.</summary>
    [Range(1, 86_400)]
    public int LeaseSeconds { get; set; } = 1800;

    /// <summary>How often the dispatcher returns expired leases and wakes domains with due work, in ms. Default 1,000.</summary>
    [Range(50, 60_000)]
    public int DispatchIntervalMs { get; set; } = 1000;
}
