using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Mail.Delivery.Retries;

namespace Orleans.Mail.Delivery.Tests;

public sealed class RetryScheduleTests
{
    private static readonly DateTimeOffset Accepted = new(2025, 5, 1, 8, 0, 0, TimeSpan.Zero);

    private static (RetrySchedule Schedule, FakeTimeProvider Time) Create(int jitterPercent = 0, int maxAgeSeconds = 72 * 3600, int[]? intervals = null)
    {
        var time = new FakeTimeProvider(Accepted);
        var options = new RetryOptions { JitterPercent = jitterPercent, MaxAgeSeconds = maxAgeSeconds };
        if (intervals is not null)
        {
            options.IntervalsSeconds = intervals;
        }

        return (new RetrySchedule(Options.Create(options), time), time);
    }

    [Theory]
    [InlineData(1, 900)]
    [InlineData(2, 1800)]
    [InlineData(3, 3600)]
    [InlineData(4, 7200)]
    [InlineData(5, 14400)]
    [InlineData(6, 14400)]
    public void NextAttempt_NoJitter_WaitsIntervalOfAttempt(int attempts, int seconds)
    {
        var (schedule, time) = Create();
        time.Advance(TimeSpan.FromMinutes(10));

        var next = schedule.NextAttempt(attempts, Accepted);

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(seconds), next);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void NextAttempt_ThrottleSignal_WaitsThrottleRetryNotTheSchedule(int attempts)
    {
        var (schedule, time) = Create();

        var next = schedule.NextAttempt(attempts, Accepted, RetryProfile.Bulk, "421 4.3.2 Too many connections", "rate-limit", throttled: true);

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(60), next);
    }

    [Fact]
    public void NextAttempt_ThrottleSignalWithHint_HintWins()
    {
        var (schedule, time) = Create();

        var next = schedule.NextAttempt(1, Accepted, RetryProfile.Bulk, "421 4.7.0 Try again in 10 minutes", "rate-limit", throttled: true);

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(10), next);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(12)]
    [InlineData(1000)]
    public void NextAttempt_BeyondLastInterval_RepeatsLastInterval(int attempts)
    {
        var (schedule, time) = Create();

        var next = schedule.NextAttempt(attempts, Accepted);

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(14400), next);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NextAttempt_AttemptsBelowOne_UsesFirstInterval(int attempts)
    {
        var (schedule, time) = Create();

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(900), schedule.NextAttempt(attempts, Accepted));
    }

    [Fact]
    public void NextAttempt_CustomIntervals_UsesConfiguredValues()
    {
        var (schedule, time) = Create(intervals: [10, 20]);

        Assert.Equal(time.GetUtcNow().AddSeconds(10), schedule.NextAttempt(1, Accepted));
        Assert.Equal(time.GetUtcNow().AddSeconds(20), schedule.NextAttempt(2, Accepted));
        Assert.Equal(time.GetUtcNow().AddSeconds(20), schedule.NextAttempt(3, Accepted));
    }

    [Theory]
    [InlineData(10, 1, 900)]
    [InlineData(10, 6, 14400)]
    [InlineData(50, 2, 1800)]
    public void NextAttempt_WithJitter_StaysWithinBaseLessPercentAndBase(int jitterPercent, int attempts, int seconds)
    {
        var (schedule, time) = Create(jitterPercent);
        var now = time.GetUtcNow();
        var earliest = now + TimeSpan.FromSeconds(seconds * (1 - jitterPercent / 100.0));
        var latest = now + TimeSpan.FromSeconds(seconds);
        var seen = new HashSet<DateTimeOffset>();

        for (var i = 0; i < 500; i++)
        {
            var next = schedule.NextAttempt(attempts, Accepted);
            Assert.NotNull(next);
            Assert.InRange(next.Value, earliest, latest);
            seen.Add(next.Value);
        }

        // The spread is real: 500 draws do not all land on the same instant.
        Assert.True(seen.Count > 1);
    }

    [Fact]
    public void NextAttempt_AtMaxAge_ReturnsNull()
    {
        var (schedule, time) = Create(maxAgeSeconds: 3600);
        time.Advance(TimeSpan.FromSeconds(3600));

        Assert.Null(schedule.NextAttempt(3, Accepted));
    }

    [Fact]
    public void NextAttempt_PastMaxAge_ReturnsNull()
    {
        var (schedule, time) = Create();
        time.Advance(TimeSpan.FromHours(100));

        Assert.Null(schedule.NextAttempt(1, Accepted));
    }

    [Fact]
    public void NextAttempt_OneSecondBeforeMaxAge_ClampsToDeadline()
    {
        var (schedule, time) = Create(jitterPercent: 10);
        time.Advance(TimeSpan.FromHours(72) - TimeSpan.FromSeconds(1));

        var next = schedule.NextAttempt(1, Accepted);

        Assert.Equal(Accepted + TimeSpan.FromHours(72), next);
    }

    [Fact]
    public void NextAttempt_WaitCrossingDeadline_ClampsToDeadline()
    {
        var (schedule, time) = Create();
        time.Advance(TimeSpan.FromHours(70));

        var next = schedule.NextAttempt(6, Accepted);

        Assert.Equal(Accepted.AddHours(72), next);
    }

    [Fact]
    public void NextAttempt_WaitEndingBeforeDeadline_IsNotClamped()
    {
        var (schedule, time) = Create();
        time.Advance(TimeSpan.FromHours(67));

        var next = schedule.NextAttempt(6, Accepted);

        Assert.Equal(Accepted.AddHours(71), next);
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 300)]
    [InlineData(9, 3600)]
    public void NextAttempt_TransactionalProfile_WaitsMinutes(int attempts, int seconds)
    {
        var (schedule, time) = Create();

        var next = schedule.NextAttempt(attempts, Accepted, RetryProfile.Transactional);

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(seconds), next);
    }

    [Fact]
    public void NextAttempt_TransactionalPastTwelveHours_Expires()
    {
        var (schedule, time) = Create();
        time.Advance(TimeSpan.FromHours(12));

        Assert.Null(schedule.NextAttempt(5, Accepted, RetryProfile.Transactional));
        Assert.NotNull(schedule.NextAttempt(5, Accepted, RetryProfile.Bulk));
    }

    [Theory]
    [InlineData("450 4.7.1 Greylisted, please try again in 120 seconds", 120)]
    [InlineData("421 4.7.0 Too many messages, retry after 10 minutes", 600)]
    [InlineData("451 4.3.0 Temporary failure, try again later in 2 hours", 7200)]
    public void NextAttempt_ReplyWithRetryHint_WaitsAsTold(string reply, int seconds)
    {
        var (schedule, time) = Create();

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(seconds), schedule.NextAttempt(1, Accepted, RetryProfile.Bulk, reply));
    }

    [Fact]
    public void NextAttempt_HintLongerThanCap_CappedAtSixHours()
    {
        var (schedule, time) = Create();

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromHours(6), schedule.NextAttempt(1, Accepted, RetryProfile.Bulk, "452 try again in 48 hours"));
    }

    [Fact]
    public void NextAttempt_ReplyWithoutHint_UsesSchedule()
    {
        var (schedule, time) = Create();

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(900), schedule.NextAttempt(1, Accepted, RetryProfile.Bulk, "451 4.7.1 Service unavailable, try later"));
    }

    [Fact]
    public void NextAttempt_MailboxFullPast24Hours_ExpiresWhileOtherClassesRetry()
    {
        var (schedule, time) = Create();
        time.Advance(TimeSpan.FromHours(24));

        Assert.Null(schedule.NextAttempt(3, Accepted, RetryProfile.Bulk, "452 4.2.2 mailbox full", "mailbox-full"));
        Assert.NotNull(schedule.NextAttempt(3, Accepted, RetryProfile.Bulk, "451 4.3.0 try later", "other-transient"));
    }

    [Fact]
    public void NextAttempt_ClassAgeLongerThanProfile_ProfileAgeWins()
    {
        var time = new FakeTimeProvider(Accepted);
        var options = new RetryOptions { JitterPercent = 0 };
        options.MaxAgeSecondsByClass["greylist"] = 30 * 24 * 3600;
        var schedule = new RetrySchedule(Options.Create(options), time);
        time.Advance(TimeSpan.FromHours(12));

        Assert.Null(schedule.NextAttempt(3, Accepted, RetryProfile.Transactional, "451 4.7.1 greylisted", "greylist"));
    }
}
