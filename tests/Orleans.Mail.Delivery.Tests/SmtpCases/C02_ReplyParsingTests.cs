using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>C02 — a reply without an enhanced status code; a multi-line 5xx reply kept whole.</summary>
public sealed class C02_ReplyParsingTests
{
    private const string GmailSpam =
        "550-5.7.1 [192.0.2.10] Our system has detected that this message is\r\n"
        + "550-5.7.1 likely unsolicited mail.\r\n"
        + "550 5.7.1 Please see the provider's bulk sender guidelines. - gsmtp\r\n";

    [Fact]
    public void C02_ReplyWithoutEnhancedCode_BasicCodeOnlyAndDelivered()
    {
        var reply = SmtpReply.Parse("250 message processed");

        Assert.Equal((250, null, "message processed"), (reply.Code, reply.EnhancedCode, reply.Text));
        Assert.Equal(ReplyAction.Delivered, ReplyClassifier.Default.Classify(SmtpStage.Dot, reply).Action);
    }

    [Fact]
    public void C02_MailKitFormWithoutEnhancedCode_BasicCodeOnly()
    {
        // MailKit reports StatusCode 250 and Response "message processed"; the first word is not an enhanced code.
        var reply = SmtpReply.Create(250, "message processed");

        Assert.Equal((250, null, "message processed"), (reply.Code, reply.EnhancedCode, reply.Text));
    }

    [Theory]
    [InlineData("451 5.7.3 class differs from the basic code")]
    [InlineData("550 5.7 too few parts")]
    [InlineData("550 x.1.1 not a number")]
    public void C02_MalformedEnhancedCode_EnhancedCodeIsNull(string text)
    {
        Assert.Null(SmtpReply.Parse(text).EnhancedCode);
    }

    [Fact]
    public void C02_MultiLine550_AllThreeLinesKeptWithBasicAndEnhancedCode()
    {
        var reply = SmtpReply.Parse(GmailSpam);

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.7.1", reply.EnhancedCode?.ToString());
        Assert.Equal(3, reply.Lines.Count);
        Assert.Equal(
            "5.7.1 [192.0.2.10] Our system has detected that this message is\n5.7.1 likely unsolicited mail.\n"
            + "5.7.1 Please see the provider's bulk sender guidelines. - gsmtp",
            reply.Text);
        Assert.Equal(GmailSpam.TrimEnd().Replace("\r\n", "\n", StringComparison.Ordinal), reply.ToString());
    }

    [Fact]
    public void C02_MultiLine550_BouncedContentRejectedWithoutSuppression()
    {
        var result = ReplyClassifier.Default.Classify(SmtpStage.Dot, GmailSpam);

        Assert.Equal((ReplyAction.Bounce, ReplyClass.ContentRejected, false), (result.Action, result.Class, result.Suppress));
    }

    [Fact]
    public void C02_MultiLine550InMailKitForm_SameReplyAndClass()
    {
        // MailKit's Response: the code removed, continuation lines joined by \n, repeated 5.7.1 kept.
        var reply = SmtpReply.Create(550, "5.7.1 [192.0.2.10] Our system has detected that this message is\n5.7.1 likely unsolicited mail.\n5.7.1 Please see the provider's bulk sender guidelines. - gsmtp");

        Assert.Equal(SmtpReply.Parse(GmailSpam).Lines, reply.Lines);
        Assert.Equal("5.7.1", reply.EnhancedCode?.ToString());
        Assert.Equal(ReplyClass.ContentRejected, ReplyClassifier.Default.Classify(SmtpStage.Dot, reply).Class);
    }
}
