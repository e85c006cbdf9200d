using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.Classification;

/// <summary>One test per class, with replies written for these tests (not taken from the corpus).</summary>
public sealed class ReplyClassifierTests
{
    private static readonly ReplyClassifier Classifier = new();

    private static ReplyClassification Classify(string stage, string reply) => Classifier.Classify(SmtpStages.Parse(stage), reply);

    private static void AssertOutcome(ReplyClassification result, ReplyAction action, string cls, bool suppress = false, bool throttle = false)
    {
        Assert.Equal((action, cls, suppress, throttle), (result.Action, result.Class, result.Suppress, result.Throttle));
    }

    [Theory]
    [InlineData("connect", "220 mx.example.net ESMTP ready")]
    [InlineData("ehlo", "250-mx.example.net greets you\n250-8BITMIME\n250-SMTPUTF8\n250 CHUNKING")]
    [InlineData("rcpt", "250 2.1.5 Ok")]
    [InlineData("data", "354 End data with <CR><LF>.<CR><LF>")]
    [InlineData("dot", "250 message processed")]
    [InlineData("dot", "250 2.6.0 <m-1@mailer.example.com> Queued mail for delivery")]
    public void Classify_PositiveReply_DeliveredOk(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Delivered, ReplyClass.Ok);
    }

    [Theory]
    [InlineData("rcpt", "550 5.1.1 <ghost@example.org>: Recipient address rejected: User unknown in virtual alias table")]
    [InlineData("rcpt", "550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1 Please check the address and try again.")]
    [InlineData("rcpt", "550 No such user (ghost@example.org)")]
    [InlineData("rcpt", "553 5.1.3 Bad recipient address syntax")]
    [InlineData("rcpt", "550 5.1.1 Recipient rejected")]
    [InlineData("dot", "552 1 Requested mail action aborted, mailbox not found")]
    [InlineData("any", "550 5.1.1 ghost@example.org: unknown mailbox")]
    public void Classify_UnknownMailbox_BouncesInvalidRecipientAndSuppresses(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Bounce, ReplyClass.InvalidRecipient, suppress: true);
    }

    [Theory]
    [InlineData("rcpt", "550 5.2.1 The mailbox is disabled and cannot receive mail")]
    [InlineData("rcpt", "554 delivery error: This account has been disabled or discontinued")]
    [InlineData("rcpt", "550 5.1.6 Mailbox has moved; no forwarding address known")]
    public void Classify_DisabledMailbox_BouncesInactiveMailboxAndSuppresses(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Bounce, ReplyClass.InactiveMailbox, suppress: true);
    }

    [Theory]
    [InlineData("rcpt", "550 5.1.2 <user@c.example>: Recipient address rejected: Domain not found")]
    [InlineData("rcpt", "556 5.1.10 Recipient address has null MX")]
    [InlineData("dot", "554 5.4.4 Unable to route: no such domain")]
    public void Classify_MissingDomain_BouncesBadDomainAndSuppresses(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Bounce, ReplyClass.BadDomain, suppress: true);
    }

    [Theory]
    [InlineData("rcpt", "452-4.2.2 The recipient's inbox is out of storage space.\n452 4.2.2 Please direct the recipient to free some space.", ReplyAction.Defer)]
    [InlineData("rcpt", "452 Insufficient storage: mailbox is over quota", ReplyAction.Defer)]
    [InlineData("dot", "552 5.2.2 Mailbox full", ReplyAction.Bounce)]
    [InlineData("rcpt", "552 5.1.1 <user@example.org> rejected: quota exceeded", ReplyAction.Bounce)]
    public void Classify_FullMailbox_MailboxFullNeverSuppressed(string stage, string reply, ReplyAction action)
    {
        AssertOutcome(Classify(stage, reply), action, ReplyClass.MailboxFull);
    }

    [Theory]
    [InlineData("mail", "552 5.3.4 Message size exceeds fixed maximum message size")]
    [InlineData("dot", "552 Message too big for this system")]
    [InlineData("dot", "554 5.2.3 Message length exceeds administrative limit")]
    public void Classify_OversizedMessage_BouncesMessageTooLarge(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Bounce, ReplyClass.MessageTooLarge);
    }

    [Theory]
    [InlineData("rcpt", "550 5.7.1 Service unavailable; client host [192.0.2.10] blocked using FBLW15", true)]
    [InlineData("rcpt", "553 5.3.0 DNSBL:RBL 521< 192.0.2.10 >_is_blocked", true)]
    [InlineData("mail", "554 5.7.1 Rejected: your IP is listed on a DNS blocklist", true)]
    [InlineData("dot", "550 5.7.1 Message refused", false)]
    public void Classify_BlockedSender_BouncesPolicyBlockWithoutSuppression(string stage, string reply, bool throttle)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Bounce, ReplyClass.PolicyBlock, throttle: throttle);
    }

    [Theory]
    [InlineData("dot", "550-5.7.26 This mail is unauthenticated, which puts the sender and users at risk.\n550 5.7.26 Authenticate with SPF or DKIM.", ReplyAction.Bounce)]
    [InlineData("dot", "550 5.7.515 Access denied, sending domain EXAMPLE.COM doesn't meet the required authentication level.", ReplyAction.Bounce)]
    [InlineData("dot", "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy", ReplyAction.Bounce)]
    [InlineData("dot", "421 4.7.26 Message deferred: configure SPF for your domain", ReplyAction.Defer)]
    public void Classify_FailedAuthentication_AuthFailureWithoutSuppression(string stage, string reply, ReplyAction action)
    {
        AssertOutcome(Classify(stage, reply), action, ReplyClass.AuthFailure);
    }

    [Theory]
    [InlineData("dot", "550-5.7.1 [192.0.2.10] Our system has detected that this message is\n550-5.7.1 likely unsolicited mail.\n550 5.7.1 Please see the bulk sender guidelines. - gsmtp", ReplyAction.Bounce)]
    [InlineData("dot", "554 5.7.1 Message rejected as spam by content filtering", ReplyAction.Bounce)]
    [InlineData("dot", "550 5.7.1 This message is not RFC 5322 compliant: duplicate Message-ID header.", ReplyAction.Bounce)]
    [InlineData("dot", "451 4.7.1 Message content rejected, please try later", ReplyAction.Defer)]
    public void Classify_RefusedContent_ContentRejected(string stage, string reply, ReplyAction action)
    {
        AssertOutcome(Classify(stage, reply), action, ReplyClass.ContentRejected);
    }

    [Theory]
    [InlineData("rcpt", "555 5.5.2 Syntax error")]
    [InlineData("mail", "550 5.6.7 SMTPUTF8 is required, but was not offered by host mx.example.net")]
    [InlineData("ehlo", "500 5.5.1 Command unrecognized")]
    [InlineData("data", "503 Bad sequence of commands")]
    public void Classify_ProtocolError_BouncesProtocol(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Bounce, ReplyClass.Protocol);
    }

    [Theory]
    [InlineData("mail", "530 5.7.0 Must issue a STARTTLS command first")]
    [InlineData("rcpt", "550 5.7.10 Encryption needed")]
    [InlineData("any", "454 4.7.0 TLS is required for this domain")]
    public void Classify_EncryptionRequired_DefersTlsRequired(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Defer, ReplyClass.TlsRequired);
    }

    [Theory]
    [InlineData("dot", "421-4.7.28 Our system has seen an unusual rate of unsolicited mail originating\n421-4.7.28 from your IP address; mail from it is rate limited.\n421 4.7.28 Please review the bulk sender guidelines. - gsmtp")]
    [InlineData("mail", "421 4.7.0 Mail from your network is deferred: its reputation is low")]
    [InlineData("mail", "451 4.7.650 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation.")]
    public void Classify_ReputationDeferral_DefersReputationAndThrottles(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Defer, ReplyClass.ReputationDefer, throttle: true);
    }

    [Theory]
    [InlineData("mail", "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to user complaints - 4.16.55.1", true)]
    [InlineData("mail", "550 Connection frequency limited. Please slow down.", true)]
    [InlineData("connect", "421 4.3.2 Too many connections, slow down", true)]
    [InlineData("rcpt", "450 4.2.1 The user you are trying to contact is receiving mail too quickly.", false)]
    public void Classify_RateLimit_DefersRateLimitNeverBounces(string stage, string reply, bool throttle)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Defer, ReplyClass.RateLimit, throttle: throttle);
    }

    [Theory]
    [InlineData("connect", "421 4.3.2 System not accepting network messages")]
    [InlineData("connect", "421 Service not available, server busy")]
    [InlineData("rcpt", "452 4.3.1 Insufficient system storage")]
    public void Classify_BusyServer_DefersServerBusyAndThrottles(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Defer, ReplyClass.ServerBusy, throttle: true);
    }

    [Theory]
    [InlineData("rcpt", "451 4.7.1 <user@example.org>: Recipient address rejected: Greylisted, try again in 300 seconds")]
    [InlineData("rcpt", "451 Greylisting in effect, please come back later")]
    [InlineData("dot", "450 4.7.1 Please try again later")]
    public void Classify_Greylisting_DefersGreylist(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Defer, ReplyClass.Greylist);
    }

    [Theory]
    [InlineData("452 4.5.3 Too many recipients")]
    [InlineData("552 5.5.3 Too many recipients")]
    public void Classify_RecipientLimit_DefersTooManyRecipientsEvenFor5xx(string reply)
    {
        AssertOutcome(Classify("rcpt", reply), ReplyAction.Defer, ReplyClass.TooManyRecipients);
    }

    [Theory]
    [InlineData("rcpt", "451 4.4.3 Temporary lookup failure")]
    [InlineData("rcpt", "450 4.1.2 <user@d.example>: Recipient address rejected: Domain not found")]
    [InlineData("connect", "450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.10]")]
    public void Classify_DnsLookupFailure_DefersDnsTemporaryWithoutSuppression(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Defer, ReplyClass.DnsTemporary);
    }

    [Theory]
    [InlineData("mail", "553 5.1.8 <bounce@mailer.example.com>... Domain of sender address bounce@mailer.example.com does not exist")]
    [InlineData("mail", "550 5.1.0 <bounce@mailer.example.com> sender rejected")]
    [InlineData("mail", "550 5.7.27 Sender address has null MX")]
    [InlineData("mail", "550 5.1.1 User unknown")]
    [InlineData("rcpt", "550-Verification failed for <bounce@mailer.example.com>\n550-The mail server said: 550 5.1.1 User unknown\n550 Sender verify failed")]
    public void Classify_RefusedEnvelopeSender_BouncesInvalidSenderNeverSuppressesRecipient(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Bounce, ReplyClass.InvalidSender);
    }

    [Theory]
    [InlineData("data", "421 4.4.2 mx.example.net data timeout - closing connection")]
    [InlineData("rcpt", "450 4.2.0 Mailbox temporarily unavailable")]
    [InlineData("rcpt", "450 4.1.1 <user@example.org>: Recipient address rejected: User unknown in local recipient table")]
    [InlineData("rcpt", "451 Local error in processing")]
    public void Classify_UnknownTemporaryFailure_DefersOtherTransientWithoutSuppression(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Defer, ReplyClass.OtherTransient);
    }

    [Theory]
    [InlineData("rcpt", "554 5.7.1 <user@example.org>: Relay access denied")]
    [InlineData("dot", "554 5.4.6 Routing loop detected")]
    [InlineData("dot", "550 Go away")]
    public void Classify_UnknownPermanentFailure_BouncesOtherPermanentWithoutSuppression(string stage, string reply)
    {
        AssertOutcome(Classify(stage, reply), ReplyAction.Bounce, ReplyClass.OtherPermanent);
    }

    [Fact]
    public void Classify_5xxGreeting_DefersInsteadOfBouncing()
    {
        AssertOutcome(
            Classify("connect", "554 5.7.1 Service unavailable; client host [192.0.2.10] blocked using zen.example"),
            ReplyAction.Defer,
            ReplyClass.PolicyBlock,
            throttle: true);
        AssertOutcome(Classify("connect", "521 5.3.2 mx.example.net does not accept mail"), ReplyAction.Defer, ReplyClass.BadDomain);
    }

    [Fact]
    public void Classify_SameBlockAfterRcpt_Bounces()
    {
        Assert.Equal(ReplyAction.Bounce, Classify("rcpt", "554 5.7.1 Service unavailable; client host [192.0.2.10] blocked using zen.example").Action);
    }

    [Fact]
    public void Classify_AnyReply_ReportsTheRuleThatFired()
    {
        Assert.Equal("ip-blocked", Classify("rcpt", "550 5.7.1 Service unavailable; client host [192.0.2.10] blocked using FBLW15").Rule);
        Assert.Equal("enh-recipient-address", Classify("rcpt", "550 5.1.1 Recipient rejected").Rule);
        Assert.Equal("generic-5xx", Classify("dot", "550 Go away").Rule);
        Assert.Equal("generic-4xx", Classify("rcpt", "451 Local error in processing").Rule);
        Assert.Equal("positive", Classify("rcpt", "250 OK").Rule);
    }

    [Fact]
    public void Classify_NotAnSmtpReply_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => Classifier.Classify(SmtpStage.Rcpt, "connection reset by peer"));
    }

    [Fact]
    public void Rules_BuiltIn_HaveUniqueNamesAndTextRulesFirst()
    {
        var rules = Classifier.Rules;

        Assert.Equal(rules.Count, rules.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(rules.OrderBy(r => r.Tier).Select(r => r.Name), rules.Select(r => r.Name));
        Assert.Equal(ReplyRuleTier.Text, rules[0].Tier);
    }
}
