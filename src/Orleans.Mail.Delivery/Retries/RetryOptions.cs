using System.ComponentModel.DataAnnotations;

namespace Orleans.Mail.Delivery.Retries;

/// <summary>When to try a deferred message again and when to give up. Bound from the <c>Retry</c> section.</summary>
public sealed class RetryOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Retry";

    /// <summary>The bulk waits used when <see cref="IntervalsSeconds"/> is empty: 15 min growing to 4 h.</summary>
    public static readonly IReadOnlyList<int> DefaultIntervalsSeconds = [900, 1800, 3600, 7200, 14400];

    /// <summary>The transactional waits used when <see cref="TransactionalIntervalsSeconds"/> is empty: minutes, growing to 1 h.</summary>
    public static readonly IReadOnlyList<int> DefaultTransactionalIntervalsSeconds = [60, 300, 600, 1200, 1800, 3600];

    /// <summary>
    /// Bulk (campaign) profile: waits after the 1st, 2nd, … temporary failure, in seconds; the last one
    /// repeats. Empty (the default) means <see cref="DefaultIntervalsSeconds"/>. (Empty rather than pre-filled because the
    /// configuration binder appends to a pre-filled array instead of replacing it.)
    /// </summary>
    public int[] IntervalsSeconds { get; set; } = [];

    /// <summary>The waits in force: <see cref="IntervalsSeconds"/>, or the defaults when it is empty.</summary>
    public IReadOnlyList<int> EffectiveIntervalsSeconds => IntervalsSeconds.Length > 0 ? IntervalsSeconds : DefaultIntervalsSeconds;

    /// <summary>Bulk profile: a message still undelivered this long after it was accepted expires, in seconds. Default 259,200 (72 h).</summary>
    [Range(1, 30 * 24 * 3600)]
    public int MaxAgeSeconds { get; set; } = 72 * 3600;

    /// <summary>Transactional profile: waits in seconds, as <see cref="IntervalsSeconds"/>. Empty (the default) means <see cref="DefaultTransactionalIntervalsSeconds"/>.</summary>
    public int[] TransactionalIntervalsSeconds { get; set; } = [];

    /// <summary>The transactional waits in force.</summary>
    public IReadOnlyList<int> EffectiveTransactionalIntervalsSeconds =>
        TransactionalIntervalsSeconds.Length > 0 ? TransactionalIntervalsSeconds : DefaultTransactionalIntervalsSeconds;

    /// <summary>Transactional profile: maximum age in seconds. Default 43,200 (12 h).</summary>
    [Range(1, 30 * 24 * 3600)]
    public int TransactionalMaxAgeSeconds { get; set; } = 12 * 3600;

    /// <summary>
    /// Shorter maximum ages for some deferral classes, in seconds, e.g. <c>Retry:MaxAgeSecondsByClass:mailbox-full=86400</c>:
    /// a full mailbox rarely empties within days, so it expires sooner than the profile's maximum age. The
    /// smaller of this and the profile's age applies. Default: <c>mailbox-full</c> 86,400 (24 h).
    /// </summary>
    public Dictionary<string, int> MaxAgeSecondsByClass { get; set; } = new(StringComparer.OrdinalIgnoreCase) { ["mailbox-full"] = 24 * 3600 };

    /// <summary>Longest wait a retry hint in a reply ("try again in 30 minutes") may set, in seconds. Default 21,600 (6 h).</summary>
    [Range(1, 7 * 24 * 3600)]
    public int MaxHintSeconds { get; set; } = 6 * 3600;

    /// <summary>
    /// Wait before retrying a deferral that is a throttle signal (a rate limit, "421 too many connections", a
    /// reputation deferral), in seconds, instead of the profile's schedule: the site's pacer slows the pace
    /// (fewer connections, a lower rate, or a rest), so the message need not wait a full retry interval. A
    /// retry hint in the reply still wins. Default 60.
    /// </summary>
    [Range(1, 24 * 3600)]
    public int ThrottleRetrySeconds { get; set; } = 60;

    /// <summary>Random spread taken off each wait, in percent of it (0–50), so retries do not arrive in waves; a wait never grows past its configured value. Default 10.</summary>
    [Range(0, 50)]
    public int JitterPercent { get; set; } = 10;
}
