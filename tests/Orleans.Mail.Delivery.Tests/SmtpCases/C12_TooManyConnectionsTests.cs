using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>C12 — "421 Too many connections": deferred with a throttle signal (fewer connections), never a bounce.</summary>
public sealed class C12_TooManyConnectionsTests
{
    [Theory]
    [InlineData(SmtpStage.Connect, "421 4.3.2 Too many connections, slow down")]
    [InlineData(SmtpStage.Mail, "421 4.3.2 Too many connections, slow down")]
    [InlineData(SmtpStage.Connect, "421 Too many connections, slow down")]
    [InlineData(SmtpStage.Connect, "421 4.3.2 too many connections, please try again later")]
    [InlineData(SmtpStage.Connect, "421 Too many concurrent connections from your IP")]
    public void C12_TooManyConnections421_DeferredRateLimitThrottledNotSuppressed(SmtpStage stage, string reply)
    {
        var result = ReplyClassifier.Default.Classify(stage, reply);

        Assert.Equal((ReplyAction.Defer, ReplyClass.RateLimit, false, true), (result.Action, result.Class, result.Suppress, result.Throttle));
    }

    [Fact]
    public void C12_TooManyConnectionsWith5xxGreeting_DeferredNotBounced()
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Connect, "554 5.7.1 Too many connections from 192.0.2.10");

        Assert.Equal((ReplyAction.Defer, true), (result.Action, result.Throttle));
    }
}
