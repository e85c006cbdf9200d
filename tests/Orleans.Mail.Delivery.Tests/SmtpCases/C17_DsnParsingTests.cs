using System.Text;
using Orleans.Mail.Delivery.Bounces;
using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>
/// C17 — asynchronous bounces (RFC 3464 DSNs): every status group is read, the original Message-ID comes from the
/// returned headers, the per-recipient Status drives the class, <c>delayed</c> is not a bounce, and reports about
/// reports are ignored. Fixtures are hand-written under <c>SmtpCases/Dsn</c>.
/// </summary>
public sealed class C17_DsnParsingTests
{
    private const string CampaignMessageId = "0195f3a2c8e47d1a9b3c5d7e9f1a2b3c@mailer.example.com";

    private static readonly BounceInterpreter Interpreter = new(ReplyClassifier.Default);

    private static DsnReport Load(string name) =>
        DsnParser.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "SmtpCases", "Dsn", name)));

    [Fact]
    public void C17_PostfixDsn_BothStatusGroupsAndTheReturnedMessageId()
    {
        var report = Load("postfix-headers.eml");

        Assert.Equal(DsnIgnoreReason.None, report.Ignored);
        Assert.Equal(CampaignMessageId, report.OriginalMessageId);
        Assert.Equal(2, report.Recipients.Count);
        var gone = report.Recipients[0];
        Assert.Equal(("gone@example.org", DsnAction.Failed, "5.1.1"), (gone.Recipient, gone.Action, gone.Status.ToString()));
        Assert.Equal(
            "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown in local recipient table",
            gone.DiagnosticCode);
        var slow = report.Recipients[1];
        Assert.Equal(("slow@example.org", DsnAction.Delayed, "4.4.1"), (slow.Recipient, slow.Action, slow.Status.ToString()));
    }

    [Fact]
    public void C17_PostfixDsn_FailedIsInvalidRecipientBounceDelayedIsOnlyANotice()
    {
        var notices = Interpreter.Interpret(Load("postfix-headers.eml"));

        Assert.Equal(2, notices.Count);
        var bounce = notices[0];
        Assert.Equal(
            ("gone@example.org", BounceNoticeKind.Bounce, ReplyClass.InvalidRecipient, true, 550),
            (bounce.Recipient, bounce.Kind, bounce.Class, bounce.Suppress, bounce.SmtpCode));
        Assert.StartsWith("550 5.1.1 ", bounce.Reply, StringComparison.Ordinal);
        var delay = notices[1];
        Assert.Equal(("slow@example.org", BounceNoticeKind.Delay, false, 450), (delay.Recipient, delay.Kind, delay.Suppress, delay.SmtpCode));
        Assert.StartsWith("450 4.4.1 ", delay.Reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postfix-headers.eml")]
    [InlineData("postfix-rfc822-base64.eml")]
    [InlineData("postfix-global-qp.eml")]
    public void C17_SameContentInOtherMimeVariants_SameResult(string fixture)
    {
        var report = Load(fixture);
        var notices = Interpreter.Interpret(report);

        Assert.Equal(CampaignMessageId, report.OriginalMessageId);
        Assert.Equal(
            [
                ("gone@example.org", BounceNoticeKind.Bounce, ReplyClass.InvalidRecipient, true),
                ("slow@example.org", BounceNoticeKind.Delay, notices[1].Class, false),
            ],
            notices.Select(n => (n.Recipient, n.Kind, n.Class, n.Suppress)));
        Assert.Equal(
            "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown in local recipient table",
            report.Recipients[0].DiagnosticCode);
        Assert.Equal(Interpreter.Interpret(Load("postfix-headers.eml")), notices);
    }

    [Fact]
    public void C17_ExchangeDsn_Status544IsBadDomainAndIdFromTheReturnedMessage()
    {
        var report = Load("exchange-bad-domain.eml");
        var notice = Assert.Single(Interpreter.Interpret(report));

        Assert.Equal("0195f3a2d1117b2c8d4e6f8091a2b3c4@mailer.example.com", report.OriginalMessageId);
        Assert.Equal(
            ("someone@no-such-domain.example", BounceNoticeKind.Bounce, ReplyClass.BadDomain, true, 550),
            (notice.Recipient, notice.Kind, notice.Class, notice.Suppress, notice.SmtpCode));
    }

    [Fact]
    public void C17_VendorDsnWithMisleadingDiagnosticText_Status511Wins()
    {
        var report = Load("vendor-misleading.eml");
        var notice = Assert.Single(Interpreter.Interpret(report));

        Assert.Equal("0195f3a2e0007c3d9e5f708192a3b4c5@mailer.example.com", report.OriginalMessageId);
        Assert.Equal(
            ("ghost@example.org", BounceNoticeKind.Bounce, ReplyClass.InvalidRecipient, true),
            (notice.Recipient, notice.Kind, notice.Class, notice.Suppress));
        // The Status replaces the diagnostic's own enhanced code; the basic code of the diagnostic is kept.
        Assert.StartsWith("554 5.1.1 Message rejected", notice.Reply, StringComparison.Ordinal);
    }

    [Fact]
    public void C17_DsnAboutADsn_Ignored()
    {
        var report = Load("dsn-about-dsn.eml");

        Assert.Equal(DsnIgnoreReason.AboutADsn, report.Ignored);
        Assert.Empty(report.Recipients);
        Assert.Empty(Interpreter.Interpret(report));
    }

    [Fact]
    public void C17_NoPerRecipientFields_BestEffortFromStatusAndFailedRecipientsHeader()
    {
        var report = Load("nonstandard-no-recipient-fields.eml");
        var recipient = Assert.Single(report.Recipients);
        var notice = Assert.Single(Interpreter.Interpret(report));

        Assert.Equal("0195f3a2f1119e5fb071920314c5d6e7@mailer.example.com", report.OriginalMessageId);
        Assert.Equal(("olduser@example.org", DsnAction.Failed, "5.2.1"), (recipient.Recipient, recipient.Action, recipient.Status.ToString()));
        Assert.Equal((BounceNoticeKind.Bounce, ReplyClass.InactiveMailbox, true), (notice.Kind, notice.Class, notice.Suppress));
    }

    [Fact]
    public void C17_NotADsn_IgnoredNotAnError()
    {
        var plain = "From: a@example.org\r\nTo: bounce@mailer.example.com\r\nSubject: out of office\r\n\r\nI am away.\r\n"u8.ToArray();

        Assert.Equal(DsnIgnoreReason.NotADsn, DsnParser.Parse(plain).Ignored);
        Assert.Equal(DsnIgnoreReason.NotADsn, DsnParser.Parse(Encoding.ASCII.GetBytes("not a message at all")).Ignored);
    }

    [Fact]
    public void C17_FailedWithoutDiagnosticCode_ReplyFromTheStatusClass()
    {
        var report = new DsnReport("x@mailer.example.com",
        [
            new DsnRecipient("a@example.org", DsnAction.Failed, EnhancedStatusCode.Parse("5.1.1"), null),
            new DsnRecipient("b@example.org", DsnAction.Failed, null, "mailbox unavailable"),
            new DsnRecipient("c@example.org", DsnAction.Delivered, EnhancedStatusCode.Parse("2.0.0"), null),
            new DsnRecipient("d@example.org", DsnAction.Relayed, null, null),
        ]);

        var notices = Interpreter.Interpret(report);

        Assert.Equal(
            [("a@example.org", 550, "550 5.1.1", ReplyClass.InvalidRecipient), ("b@example.org", 550, "550 mailbox unavailable", notices[1].Class)],
            notices.Select(n => (n.Recipient, n.SmtpCode, n.Reply, n.Class)));
        Assert.All(notices, n => Assert.Equal(BounceNoticeKind.Bounce, n.Kind));
    }
}
