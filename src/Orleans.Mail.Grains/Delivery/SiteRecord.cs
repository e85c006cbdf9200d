using Orleans.Mail.Delivery;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>What an operator set for a site, kept in grain storage <c>sites</c> so that it survives restarts and failover.</summary>
[GenerateSerializer, Alias("orleans.mail.SiteRecord")]
public sealed class SiteRecord
{
    /// <summary>The operator's limits, or null.</summary>
    [Id(0)] public SitePolicy? Policy { get; set; }

    /// <summary>True while suspended (by an operator or after a policy block).</summary>
    [Id(1)] public bool Suspended { get; set; }

    /// <summary>When a timed suspension ends (UTC); null: until resumed.</summary>
    [Id(2)] public DateTimeOffset? SuspendedUntil { get; set; }

    /// <summary>Why it is suspended.</summary>
    [Id(3)] public string SuspendReason { get; set; } = string.Empty;

    /// <summary>True when the suspension came from a policy block: one message is tried before resuming.</summary>
    [Id(4)] public bool ProbeBeforeResume { get; set; }
}
