using MimeKit;
using Orleans.Mail.Delivery.Classification;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.TestSupport;
using static Orleans.Mail.Delivery.Tests.SmtpCases.SmtpCaseHarness;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>
/// C07 — some recipients of one transaction accepted, some refused: one DATA for the accepted ones, each
/// refused one its own RCPT reply (550 5.1.1 bounced and suppressed, 450 deferred), the retry goes to the
/// deferred one only; when every RCPT is refused no DATA is sent.
/// </summary>
public sealed class C07_PartialRecipientAcceptanceTests
{
    private const string EhloPipelining = "250-mx.example.net\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";
    private const string Unknown = "550 5.1.1 User unknown";
    private const string Busy = "450 4.2.0 Mailbox temporarily unavailable";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task C07_OneAcceptedOneUnknownOneBusy_OneDataPerRecipientOutcomesRetryToBusyOnly(bool pipelining)
    {
        var busyAttempts = 0;
        var server = new RecipientScriptedSmtp(pipelining ? EhloPipelining : Ehlo, (address, _) => address switch
        {
            "gone@example.org" => Unknown,
            "c@example.org" when Interlocked.Increment(ref busyAttempts) == 1 => Busy,
            _ => null,
        });
        await using var fake = RawSmtpFake.Start(server.RunAsync);
        var messages = Group("a@example.org", "gone@example.org", "c@example.org");

        var outcomes = await SendAsync(fake.Endpoint, messages);

        Assert.Equal(messages.Select(m => m.Id), outcomes.Select(o => o.Id));
        Assert.Equal(1, server.DataCommands);
        Assert.Equal(["a@example.org"], Assert.Single(server.Transactions).Recipients);

        var (a, gone, c) = (outcomes[0], outcomes[1], outcomes[2]);
        Assert.Equal((SendResultKind.Delivered, 250, "dot"), (a.Kind, a.Code, a.Stage));
        Assert.StartsWith("250 ", a.Reply, StringComparison.Ordinal);

        Assert.Equal((SendResultKind.Permanent, 550, "rcpt", Unknown), (gone.Kind, gone.Code, gone.Stage, gone.Reply));
        var goneClass = ReplyClassifier.Default.Classify(SmtpStage.Rcpt, gone.Reply);
        Assert.Equal((ReplyAction.Bounce, ReplyClass.InvalidRecipient, true), (goneClass.Action, goneClass.Class, goneClass.Suppress));

        Assert.Equal((SendResultKind.Temporary, 450, "rcpt", Busy), (c.Kind, c.Code, c.Stage, c.Reply));
        Assert.Equal(ReplyAction.Defer, ReplyClassifier.Default.Classify(SmtpStage.Rcpt, c.Reply).Action);

        // The retry carries only the deferred recipient: a is never sent twice.
        var retry = Assert.Single(await SendAsync(fake.Endpoint, [messages[2]]));

        Assert.Equal(SendResultKind.Delivered, retry.Kind);
        Assert.Equal(2, server.DataCommands);
        Assert.Equal(["c@example.org"], server.Transactions[1].Recipients);
        Assert.Equal(1, server.Transactions.SelectMany(t => t.Recipients).Count(r => r == "a@example.org"));
        Assert.Equal(1, server.Transactions.SelectMany(t => t.Recipients).Count(r => r == "c@example.org"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task C07_AllThreeRefused_NoDataEachItsOwnOutcomeSessionStillUsable(bool pipelining)
    {
        var server = new RecipientScriptedSmtp(pipelining ? EhloPipelining : Ehlo, (address, _) => address switch
        {
            "a@example.org" => "550 5.7.1 Recipient rejected by policy",
            "gone@example.org" => Unknown,
            "c@example.org" => Busy,
            _ => null,
        });
        await using var fake = RawSmtpFake.Start(server.RunAsync);
        var messages = Group("a@example.org", "gone@example.org", "c@example.org");
        var alone = Message("d@example.org");

        var outcomes = await SendAsync(fake.Endpoint, [.. messages, alone]);

        Assert.Equal(
            [
                (SendResultKind.Permanent, 550, "rcpt", "550 5.7.1 Recipient rejected by policy"),
                (SendResultKind.Permanent, 550, "rcpt", Unknown),
                (SendResultKind.Temporary, 450, "rcpt", Busy),
            ],
            outcomes.Take(3).Select(o => (o.Kind, o.Code, o.Stage, o.Reply)));
        Assert.Equal(SendResultKind.Delivered, outcomes[3].Kind);
        // No DATA for the refused transaction (it was reset); one for the next message, on the same connection.
        Assert.Equal(1, server.DataCommands);
        Assert.True(server.Resets >= 1);
        Assert.Equal(["d@example.org"], Assert.Single(server.Transactions).Recipients);
        Assert.Single(fake.Connections);
    }

    private static OutgoingMessage[] Group(params string[] recipients)
    {
        var key = $"<{Guid.NewGuid()}@mailer.example.com>";
        MimeMessage Build() => new()
        {
            From = { MailboxAddress.Parse("bounce@mailer.example.com") },
            To = { MailboxAddress.Parse(recipients[0]) },
            Cc = { MailboxAddress.Parse(recipients[^1]) },
            Subject = "C07",
            Body = new TextPart("plain") { Text = "hello\n" },
        };
        return recipients
            .Select(r => new OutgoingMessage(Guid.NewGuid(), MailboxAddress.Parse("bounce@mailer.example.com"), MailboxAddress.Parse(r), Build, key))
            .ToArray();
    }
}
