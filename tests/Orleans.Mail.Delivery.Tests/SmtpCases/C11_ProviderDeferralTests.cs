using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Mail.Delivery.Classification;
using Orleans.Mail.Delivery.Retries;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>C11 — Yahoo [TSS04] and Gmail 421-4.7.28: deferred with a throttle signal, never a bounce; expiry is soft.</summary>
public sealed class C11_ProviderDeferralTests
{
    private const string YahooTss04 =
        "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to user complaints - 4.16.55.1";

    private const string Gmail4728 =
        "421-4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited mail originating from your IP\r\n"
        + "421-4.7.28 address. To protect our users from spam, mail sent from your IP address has been temporarily\r\n"
        + "421 4.7.28 rate limited. - gsmtp";

    private static readonly DateTimeOffset Accepted = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(SmtpStage.Mail)]
    [InlineData(SmtpStage.Connect)]
    [InlineData(SmtpStage.Rcpt)]
    public void C11_YahooTss04_DeferredRateLimitThrottledNotSuppressed(SmtpStage stage)
    {
        var result = ReplyClassifier.Default.Classify(stage, YahooTss04);

        Assert.Equal((ReplyAction.Defer, ReplyClass.RateLimit, false, true), (result.Action, result.Class, result.Suppress, result.Throttle));
    }

    [Fact]
    public void C11_YahooTss04With5xxCode_StillDeferredNeverBounced()
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Mail, "554 5.7.9 [TSS04] Messages from 192.0.2.10 temporarily deferred due to user complaints");

        Assert.Equal((ReplyAction.Defer, false, true), (result.Action, result.Suppress, result.Throttle));
    }

    [Fact]
    public void C11_GmailMultiLine4728AfterData_DeferredReputationThrottledNotSuppressed()
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Dot, Gmail4728);

        Assert.Equal((ReplyAction.Defer, ReplyClass.ReputationDefer, false, true), (result.Action, result.Class, result.Suppress, result.Throttle));
    }

    [Fact]
    public void C11_Gmail4728KeyedOnSpfDomain_DeferredReputationThrottledNotAuthFailure()
    {
        const string reply =
            "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your SPF domain\r\n"
            + "421-4.7.28 [mailer.example.com 1]. To protect our users from spam, mail sent from your SPF domain\r\n"
            + "421 4.7.28 has been temporarily rate limited. - gsmtp";

        var result = ReplyClassifier.Default.Classify(SmtpStage.Dot, reply);

        Assert.Equal((ReplyAction.Defer, ReplyClass.ReputationDefer, false, true), (result.Action, result.Class, result.Suppress, result.Throttle));
    }

    [Fact]
    public void C11_Gmail4728WithOtherWording_DeferredByEnhancedCode()
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Dot, "421 4.7.28 Gmail has detected an unusual amount of mail from your domain. - gsmtp");

        Assert.Equal((ReplyAction.Defer, true), (result.Action, result.Throttle));
    }

    [Theory]
    [InlineData(RetryProfile.Bulk)]
    [InlineData(RetryProfile.Transactional)]
    public void C11_StillDeferredAtMaxAge_RetryScheduleReturnsNullSoExpires(RetryProfile profile)
    {
        var time = new FakeTimeProvider(Accepted);
        var options = new RetryOptions();
        var schedule = new RetrySchedule(Options.Create(options), time);
        var maxAge = profile == RetryProfile.Bulk ? options.MaxAgeSeconds : options.TransactionalMaxAgeSeconds;

        time.Advance(TimeSpan.FromSeconds(maxAge) - TimeSpan.FromSeconds(1));
        var lastTry = schedule.NextAttempt(18, Accepted, profile, YahooTss04);
        time.Advance(TimeSpan.FromSeconds(1));
        var afterMaxAge = schedule.NextAttempt(19, Accepted, profile, YahooTss04);

        Assert.Equal(Accepted + TimeSpan.FromSeconds(maxAge), lastTry);
        Assert.Null(afterMaxAge);
    }
}
