using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>C09 — replies whose code contradicts their meaning: the text/provider override table wins.</summary>
public sealed class C09_ReplyClassContradictsMeaningTests
{
    private static ReplyClassification Classify(SmtpStage stage, string reply) => ReplyClassifier.Default.Classify(stage, reply);

    [Fact]
    public void C09_QqConnectionFrequencyLimited550_DeferredRateLimitThrottled()
    {
        var result = Classify(SmtpStage.Mail, "550 Connection frequency limited");

        Assert.Equal((ReplyAction.Defer, ReplyClass.RateLimit, false, true), (result.Action, result.Class, result.Suppress, result.Throttle));
        Assert.NotEqual("generic-5xx", result.Rule);
    }

    [Fact]
    public void C09_Dnsbl553_BouncedPolicyBlockNotInvalidRecipientNotSuppressed()
    {
        var result = Classify(SmtpStage.Rcpt, "553 5.3.0 DNSBL:RBL 521< 192.0.2.10 >_is_blocked");

        Assert.Equal((ReplyAction.Bounce, ReplyClass.PolicyBlock, false), (result.Action, result.Class, result.Suppress));
        Assert.True(result.Throttle);
    }

    [Fact]
    public void C09_GmailMultiLine452OutOfStorage_DeferredMailboxFullNotSuppressed()
    {
        const string reply =
            "452-4.2.2 The recipient's inbox is out of storage space. Please direct the\r\n"
            + "452-4.2.2 recipient to\r\n"
            + "452 4.2.2 https://support.google.com/mail/?p=OverQuotaTemp - gsmtp";

        var result = Classify(SmtpStage.Rcpt, reply);

        Assert.Equal((ReplyAction.Defer, ReplyClass.MailboxFull, false), (result.Action, result.Class, result.Suppress));
    }

    [Fact]
    public void C09_Yahoo552MailboxNotFoundAfterData_BouncedInvalidRecipientSuppressed()
    {
        var result = Classify(SmtpStage.Dot, "552 1 Requested mail action aborted, mailbox not found");

        Assert.Equal((ReplyAction.Bounce, ReplyClass.InvalidRecipient, true), (result.Action, result.Class, result.Suppress));
    }

    [Fact]
    public void C09_OnlyTheMailboxNotFoundReply_Suppresses()
    {
        (SmtpStage Stage, string Reply)[] replies =
        [
            (SmtpStage.Mail, "550 Connection frequency limited"),
            (SmtpStage.Rcpt, "553 5.3.0 DNSBL:RBL 521< 192.0.2.10 >_is_blocked"),
            (SmtpStage.Rcpt, "452-4.2.2 The recipient's inbox is out of storage space.\n452 4.2.2 - gsmtp"),
            (SmtpStage.Dot, "552 1 Requested mail action aborted, mailbox not found"),
        ];

        Assert.Equal([false, false, false, true], replies.Select(r => Classify(r.Stage, r.Reply).Suppress));
    }

    [Fact]
    public void C09_EveryOverride_ReportsWhichRuleFired()
    {
        string[] rules =
        [
            Classify(SmtpStage.Mail, "550 Connection frequency limited").Rule,
            Classify(SmtpStage.Rcpt, "553 5.3.0 DNSBL:RBL 521< 192.0.2.10 >_is_blocked").Rule,
            Classify(SmtpStage.Rcpt, "452 4.2.2 The recipient's inbox is out of storage space.").Rule,
            Classify(SmtpStage.Dot, "552 1 Requested mail action aborted, mailbox not found").Rule,
        ];

        Assert.Equal(["too-many-connections", "ip-blocked", "mailbox-over-quota", "recipient-unknown"], rules);
    }

    [Fact]
    public void C09_OperatorProviderOverride_WinsOverBuiltInRules()
    {
        var extra = ReplyRules.Parse(
            [
                "name\tstage\tcode\tenhanced\tpattern\taction\tclass\tthrottle\tsuppress",
                "qq-frequency\tmail\t550\t*\tConnection frequency limited\tdefer\trate-limit\tyes\tno",
            ],
            "test rules");
        var classifier = new ReplyClassifier(extra);

        var result = classifier.Classify(SmtpStage.Mail, "550 Connection frequency limited");

        Assert.Equal(("qq-frequency", ReplyAction.Defer, ReplyClass.RateLimit), (result.Rule, result.Action, result.Class));
    }
}
