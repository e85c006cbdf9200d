using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>C10 — 550 5.7.1 policy block (not suppressed) vs 550 5.1.1 unknown user (suppressed); the text is kept.</summary>
public sealed class C10_PolicyBlockVsUnknownUserTests
{
    private const string UnknownUser =
        "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
        + "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
        + "550 5.1.1 unnecessary spaces. - gsmtp";

    private const string PolicyBlock = "550 5.7.1 Service unavailable; client host [192.0.2.10] blocked using FBLW15";

    [Fact]
    public void C10_UnknownUser5511AtRcpt_BouncedInvalidRecipientAndSuppressed()
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Rcpt, UnknownUser);

        Assert.Equal((ReplyAction.Bounce, ReplyClass.InvalidRecipient, true), (result.Action, result.Class, result.Suppress));
    }

    [Fact]
    public void C10_PolicyBlock571AtRcpt_BouncedPolicyBlockNotSuppressedThrottled()
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Rcpt, PolicyBlock);

        Assert.Equal((ReplyAction.Bounce, ReplyClass.PolicyBlock, false, true), (result.Action, result.Class, result.Suppress, result.Throttle));
    }

    [Theory]
    [InlineData(UnknownUser, 550, "5.1.1", "does not exist")]
    [InlineData(UnknownUser, 550, "5.1.1", "unnecessary spaces. - gsmtp")]
    [InlineData(PolicyBlock, 550, "5.7.1", "blocked using FBLW15")]
    public void C10_EitherReply_KeepsBasicEnhancedCodeAndFullText(string text, int code, string enhanced, string fragment)
    {
        var reply = SmtpReply.Parse(text);

        Assert.Equal((code, enhanced), (reply.Code, reply.EnhancedCode?.ToString()));
        Assert.Contains(fragment, reply.Text, StringComparison.Ordinal);
        Assert.Equal(text.Split("\r\n"), reply.Lines);
    }

    [Fact]
    public void C10_SameRepliesAfterData_SameClasses()
    {
        Assert.Equal(
            [ReplyClass.InvalidRecipient, ReplyClass.PolicyBlock],
            new[] { UnknownUser, PolicyBlock }.Select(r => ReplyClassifier.Default.Classify(SmtpStage.Dot, r).Class));
    }
}
