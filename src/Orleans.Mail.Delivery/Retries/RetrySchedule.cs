using Microsoft.Extensions.Options;

namespace Orleans.Mail.Delivery.Retries;

/// <summary>Decides, after a temporary failure, when the next attempt is due or that the message expires.</summary>
public sealed class RetrySchedule(IOptions<RetryOptions> options, TimeProvider time)
{
    /// <summary>
    /// The next attempt time after the failure of attempt number <paramref name="attemptsSoFar"/> (1 for the
    /// first), or null when the message is past its maximum age (it expires).
    /// </summary>
    /// <param name="attemptsSoFar">Attempts made including the one that just failed (≥ 1).</param>
    /// <param name="acceptedAt">When the message was accepted.</param>
    public DateTimeOffset? NextAttempt(int attemptsSoFar, DateTimeOffset acceptedAt)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var deadline = acceptedAt + TimeSpan.FromSeconds(settings.MaxAgeSeconds);
        if (now >= deadline)
        {
            return null;
        }

        var intervals = settings.EffectiveIntervalsSeconds;
        var baseWait = TimeSpan.FromSeconds(intervals[Math.Clamp(attemptsSoFar - 1, 0, intervals.Count - 1)]);
        var jitter = baseWait * (settings.JitterPercent / 100.0 * Random.Shared.NextDouble());
        var next = now + baseWait + jitter;
        // The last try happens at the deadline rather than never.
        return next > deadline ? deadline : next;
    }
}
