using Microsoft.Extensions.Options;

namespace Orleans.Mail.Delivery.Retries;

/// <summary>Which retry schedule a message follows.</summary>
public enum RetryProfile
{
    /// <summary>Campaign mail: 15 min growing to 4 h, up to 72 h (defaults).</summary>
    Bulk,
    /// <summary>Transactional mail: minutes, up to 12 h (defaults).</summary>
    Transactional,
}

/// <summary>
/// Decides, after a temporary failure, when the next attempt is due or that the message expires. Our own
/// throttling never comes here: only real attempts do.
/// </summary>
public sealed class RetrySchedule(IOptions<RetryOptions> options, TimeProvider time)
{
    /// <summary>
    /// The next attempt time after the failure of attempt number <paramref name="attemptsSoFar"/> (1 for the
    /// first), or null when the message is past its maximum age (it expires).
    /// </summary>
    /// <param name="attemptsSoFar">Attempts made including the one that just failed (≥ 1).</param>
    /// <param name="acceptedAt">When the message was accepted.</param>
    /// <param name="profile">The schedule to follow.</param>
    /// <param name="reply">The failed attempt's reply; a retry hint in it ("try again in 10 minutes") sets the wait, up to <see cref="RetryOptions.MaxHintSeconds"/>.</param>
    /// <param name="outcomeClass">The failure's class; some classes expire sooner (<see cref="RetryOptions.MaxAgeSecondsByClass"/>).</param>
    /// <param name="throttled">The failure was a throttle signal: wait <see cref="RetryOptions.ThrottleRetrySeconds"/> instead of the schedule.</param>
    public DateTimeOffset? NextAttempt(
        int attemptsSoFar, DateTimeOffset acceptedAt, RetryProfile profile = RetryProfile.Bulk, string? reply = null, string? outcomeClass = null,
        bool throttled = false)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var maxAge = profile == RetryProfile.Transactional ? settings.TransactionalMaxAgeSeconds : settings.MaxAgeSeconds;
        if (outcomeClass is not null && settings.MaxAgeSecondsByClass.TryGetValue(outcomeClass, out var classAge))
        {
            maxAge = Math.Min(maxAge, classAge);
        }

        var deadline = acceptedAt + TimeSpan.FromSeconds(maxAge);
        if (now >= deadline)
        {
            return null;
        }

        var intervals = profile == RetryProfile.Transactional ? settings.EffectiveTransactionalIntervalsSeconds : settings.EffectiveIntervalsSeconds;
        var baseWait = TimeSpan.FromSeconds(throttled ? settings.ThrottleRetrySeconds : intervals[Math.Clamp(attemptsSoFar - 1, 0, intervals.Count - 1)]);
        var jitterShare = settings.JitterPercent / 100.0 * Random.Shared.NextDouble();
        DateTimeOffset next;
        if (RetryHint.Parse(reply) is { } hint && hint > TimeSpan.Zero)
        {
            // The server said when to come back: never earlier than that (jitter only adds).
            var wait = hint < TimeSpan.FromSeconds(settings.MaxHintSeconds) ? hint : TimeSpan.FromSeconds(settings.MaxHintSeconds);
            next = now + wait + wait * jitterShare;
        }
        else
        {
            // Our own schedule: never later than the configured wait (jitter only takes off), so a
            // greylisted message comes back within its first interval, and retries still spread out.
            next = now + baseWait - baseWait * jitterShare;
        }

        // The last try happens at the deadline rather than never.
        return next > deadline ? deadline : next;
    }
}
