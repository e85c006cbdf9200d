namespace Orleans.Mail.Delivery;

/// <summary>An operator's limits for one site, overriding its provider entry and the Pacing defaults; null fields keep those.</summary>
/// <param name="MessagesPerSecond">Messages per second for the whole site (0.01–100,000), or null.</param>
/// <param name="MaxConnections">Concurrent SMTP connections for the whole site (1–1,000), or null.</param>
/// <param name="MessagesPerConnection">Messages one connection carries (1–100,000), or null.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.SitePolicy")]
public sealed record SitePolicy(
    [property: Id(0)] double? MessagesPerSecond,
    [property: Id(1)] int? MaxConnections,
    [property: Id(2)] int? MessagesPerConnection);

/// <summary>A reply a site gave that was not a delivery, kept for operators.</summary>
/// <param name="At">When it was recorded (UTC).</param>
/// <param name="Domain">The recipient domain of the batch.</param>
/// <param name="Reply">The reply (code and text) or local failure.</param>
/// <param name="Class">Its class, e.g. <c>rate-limit</c>.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.SiteReply")]
public sealed record SiteReply(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Domain,
    [property: Id(2)] string Reply,
    [property: Id(3)] string Class);

/// <summary>The states of a site's pacer.</summary>
public static class SiteStates
{
    /// <summary>Nothing due; the pacer sleeps.</summary>
    public const string Idle = "idle";

    /// <summary>Delivering within its limits.</summary>
    public const string Active = "active";

    /// <summary>Resting after a reputation deferral: no connections until <see cref="SiteStatus.ResumeAt"/>.</summary>
    public const string Resting = "resting";

    /// <summary>Suspended by an operator or after a policy block: no connections until resumed (or <see cref="SiteStatus.ResumeAt"/>).</summary>
    public const string Suspended = "suspended";

    /// <summary>After a policy block's suspension: one message is tried before the site resumes.</summary>
    public const string Probing = "probing";
}

/// <summary>A site's pacer as an operator sees it.</summary>
[GenerateSerializer, Immutable, Alias("orleans.mail.SiteStatus")]
public sealed record SiteStatus
{
    /// <summary>The site key, e.g. <c>provider:google</c>.</summary>
    [Id(0)] public required string Site { get; init; }

    /// <summary>One of <see cref="SiteStates"/>.</summary>
    [Id(1)] public required string State { get; init; }

    /// <summary>Messages per second allowed now (after adaptive slow-downs).</summary>
    [Id(2)] public double MessagesPerSecond { get; init; }

    /// <summary>The ceiling: operator policy, else provider entry, else the Pacing default, in messages/s.</summary>
    [Id(3)] public double CeilingMessagesPerSecond { get; init; }

    /// <summary>Connections allowed now (after adaptive slow-downs and a learned "too many connections" limit).</summary>
    [Id(4)] public int MaxConnections { get; init; }

    /// <summary>The connection ceiling.</summary>
    [Id(5)] public int CeilingConnections { get; init; }

    /// <summary>Messages one connection carries.</summary>
    [Id(6)] public int MessagesPerConnection { get; init; }

    /// <summary>Batches (one connection each) being delivered now.</summary>
    [Id(7)] public int Connections { get; init; }

    /// <summary>Messages of the site's known domains waiting in the spool (queued or deferred).</summary>
    [Id(8)] public long Queued { get; init; }

    /// <summary>The recipient domains the pacer has seen with work since it was activated.</summary>
    [Id(9)] public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>The latest replies that were not deliveries, newest first (at most 10).</summary>
    [Id(10)] public IReadOnlyList<SiteReply> LastReplies { get; init; } = [];

    /// <summary>Why the site is slowed, resting or suspended; empty when it runs at its ceilings.</summary>
    [Id(11)] public string Reason { get; init; } = string.Empty;

    /// <summary>When a rest or timed suspension ends (UTC), or null.</summary>
    [Id(12)] public DateTimeOffset? ResumeAt { get; init; }

    /// <summary>The operator's policy, or null.</summary>
    [Id(13)] public SitePolicy? Policy { get; init; }

    /// <summary>The silo the pacer runs on now (its Orleans runtime identity, e.g. <c>S127.0.0.1:11111:…</c>).</summary>
    [Id(14)] public string Silo { get; init; } = string.Empty;
}

/// <summary>Names the site of a recipient domain, on a silo (where DNS and the provider table are). A stateless worker.</summary>
[Alias("orleans.mail.ISiteLookupGrain")]
public interface ISiteLookupGrain : IGrainWithIntegerKey
{
    /// <summary>The site key of <paramref name="domain"/> (a lower-case A-label).</summary>
    [Alias("SiteOf")]
    Task<string> SiteOf(string domain);
}
