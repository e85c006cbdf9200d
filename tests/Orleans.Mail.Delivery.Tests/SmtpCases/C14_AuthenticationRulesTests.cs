using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>C14 — Gmail 550-5.7.26 and Outlook.com 550 5.7.515: auth-failure, a sender problem, never suppressed.</summary>
public sealed class C14_AuthenticationRulesTests
{
    private const string Gmail5726 =
        "550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
        + "550-5.7.26 sender and Gmail users, and has been blocked. The sender must\r\n"
        + "550-5.7.26 authenticate with at least one of SPF or DKIM. For this message,\r\n"
        + "550-5.7.26 DKIM checks did not pass and SPF check for [mailer.example.net]\r\n"
        + "550 5.7.26 did not pass with ip: [192.0.2.10]. - gsmtp";

    private const string Outlook57515 =
        "550 5.7.515 Access denied, sending domain EXAMPLE.COM doesn't meet the required authentication level.";

    [Theory]
    [InlineData(Gmail5726)]
    [InlineData(Outlook57515)]
    [InlineData("550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy")]
    public void C14_AuthenticationRejectAfterData_BouncedAuthFailureNotSuppressed(string reply)
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Dot, reply);

        Assert.Equal((ReplyAction.Bounce, ReplyClass.AuthFailure, false), (result.Action, result.Class, result.Suppress));
    }

    [Theory]
    [InlineData(550, "5.7.26 Access denied by the receiver.")]
    [InlineData(550, "5.7.515 Access denied.")]
    public void C14_AuthenticationEnhancedCodeWithOtherWording_BouncedAuthFailure(int code, string text)
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Dot, SmtpReply.Create(code, text));

        Assert.Equal((ReplyAction.Bounce, ReplyClass.AuthFailure, false), (result.Action, result.Class, result.Suppress));
    }
}
