using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Mail.Delivery.Classification;
using Orleans.Mail.Delivery.Retries;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>C05 — greylisting (451 4.7.1): deferred, first retry 300 s to 15 min later on the bulk profile.</summary>
public sealed class C05_GreylistingTests
{
    private const string Greylisted =
        "451 4.7.1 <user@example.org>: Recipient address rejected: Greylisted, try again in 300 seconds";

    private static readonly DateTimeOffset Accepted = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(Greylisted)]
    [InlineData("451 4.7.1 Greylisted, try again in 300 seconds")]
    [InlineData("451 4.7.1 Try again later")]
    public void C05_Greylisted451_DeferredGreylistNotSuppressed(string reply)
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Rcpt, reply);

        Assert.Equal((ReplyAction.Defer, ReplyClass.Greylist, false), (result.Action, result.Class, result.Suppress));
    }

    [Fact]
    public void C05_GreylistedOnFirstBulkAttempt_FirstRetryWithin300SecondsAnd15Minutes()
    {
        var time = new FakeTimeProvider(Accepted);
        var schedule = new RetrySchedule(Options.Create(new RetryOptions()), time);

        // Jitter is random: every draw must land in the window.
        for (var i = 0; i < 200; i++)
        {
            var next = schedule.NextAttempt(1, Accepted, RetryProfile.Bulk, Greylisted);

            Assert.NotNull(next);
            Assert.InRange(next.Value - Accepted, TimeSpan.FromSeconds(300), TimeSpan.FromMinutes(15));
        }
    }

    [Fact]
    public void C05_GreylistedWithoutHintOnFirstBulkAttempt_FirstRetryWithin300SecondsAnd15Minutes()
    {
        var time = new FakeTimeProvider(Accepted);
        var schedule = new RetrySchedule(Options.Create(new RetryOptions()), time);

        for (var i = 0; i < 200; i++)
        {
            var next = schedule.NextAttempt(1, Accepted, RetryProfile.Bulk, "451 4.7.1 Greylisted, please come back later");

            Assert.NotNull(next);
            Assert.InRange(next.Value - Accepted, TimeSpan.FromSeconds(300), TimeSpan.FromMinutes(15));
        }
    }

    [Fact]
    public void C05_Persisting4xx_WaitsGrowThenExpiresAtMaxAge()
    {
        var time = new FakeTimeProvider(Accepted);
        var options = new RetryOptions { JitterPercent = 0 };
        var schedule = new RetrySchedule(Options.Create(options), time);

        var waits = Enumerable.Range(1, 6).Select(n => schedule.NextAttempt(n, Accepted, RetryProfile.Bulk, "451 4.7.1 Try again later")!.Value - Accepted).ToArray();
        time.Advance(TimeSpan.FromSeconds(options.MaxAgeSeconds));

        Assert.Equal(waits.OrderBy(w => w), waits);
        Assert.True(waits[^1] > waits[0]);
        Assert.Null(schedule.NextAttempt(7, Accepted, RetryProfile.Bulk, "451 4.7.1 Try again later"));
    }
}
