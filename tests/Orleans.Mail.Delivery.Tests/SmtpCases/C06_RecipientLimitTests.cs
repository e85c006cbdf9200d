using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.TestSupport;
using static Orleans.Mail.Delivery.Tests.SmtpCases.SmtpCaseHarness;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>
/// C06 — a server limits recipients per transaction (<c>452 4.5.3 Too many recipients</c>, or <c>552 5.5.3</c>):
/// the accepted ones get one DATA, the rest go in the next transaction(s) at once, none bounced or deferred,
/// every recipient delivered exactly once; by default no transaction carries more than 100 RCPTs.
/// </summary>
public sealed class C06_RecipientLimitTests
{
    private const string EhloPipelining = "250-mx.example.net\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";

    [Theory]
    [InlineData("452 4.5.3 Too many recipients")]
    [InlineData("552 5.5.3 Too many recipients")]
    public async Task C06_TooManyAfter100_First100OneData_RestResentAtOnce_AllDeliveredOnceNoneBounced(string tooMany)
    {
        var server = new RecipientScriptedSmtp(EhloPipelining, (_, n) => n > 100 ? tooMany : null);
        await using var fake = RawSmtpFake.Start(server.RunAsync);
        var messages = Group(250);

        // A cap above the server's limit, so that the server's reply is what splits the transaction.
        var outcomes = await SendAsync(fake.Endpoint, messages, maxRecipientsPerTransaction: 1000);

        Assert.Equal(250, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal((SendResultKind.Delivered, 250, "dot"), (o.Kind, o.Code, o.Stage)));
        Assert.Equal(messages.Select(m => m.Id), outcomes.Select(o => o.Id));
        Assert.Equal(3, server.DataCommands);
        Assert.Equal([100, 100, 50], server.Transactions.Select(t => t.Recipients.Count));
        Assert.Equal(Addresses(250), server.Transactions.SelectMany(t => t.Recipients));
        Assert.Equal(Addresses(100), server.Transactions[0].Recipients);
        Assert.Single(fake.Connections);
    }

    [Fact]
    public async Task C06_DefaultCap_NeverMoreThan100RcptsPerTransaction()
    {
        var rcptNumbers = new List<int>();
        var server = new RecipientScriptedSmtp(EhloPipelining, (_, n) =>
        {
            lock (rcptNumbers)
            {
                rcptNumbers.Add(n);
            }

            return null;
        });
        await using var fake = RawSmtpFake.Start(server.RunAsync);

        var outcomes = await SendAsync(fake.Endpoint, Group(250), maxRecipientsPerTransaction: null);

        Assert.Equal(SmtpBatchSender.DefaultMaxRecipientsPerTransaction, new SmtpBatchSender(null!, null!, NullLogger<SmtpBatchSender>.Instance).MaxRecipientsPerTransaction);
        Assert.All(outcomes, o => Assert.Equal(SendResultKind.Delivered, o.Kind));
        Assert.Equal(100, rcptNumbers.Max());
        Assert.Equal(250, rcptNumbers.Count);
        Assert.Equal([100, 100, 50], server.Transactions.Select(t => t.Recipients.Count));
        Assert.Equal(Addresses(250), server.Transactions.SelectMany(t => t.Recipients));
    }

    [Fact]
    public async Task C06_ServerLimitBelowCap_LearnedLimitCapsLaterTransactions()
    {
        var refused = 0;
        var server = new RecipientScriptedSmtp(EhloPipelining, (_, n) =>
        {
            if (n <= 40)
            {
                return null;
            }

            Interlocked.Increment(ref refused);
            return "452 4.5.3 Too many recipients";
        });
        await using var fake = RawSmtpFake.Start(server.RunAsync);

        var outcomes = await SendAsync(fake.Endpoint, Group(250), maxRecipientsPerTransaction: null);

        Assert.All(outcomes, o => Assert.Equal(SendResultKind.Delivered, o.Kind));
        // Only the first transaction (100 RCPTs) met the limit; later ones carry at most the 40 learned.
        Assert.Equal(60, refused);
        Assert.Equal([40, 40, 20, 40, 40, 40, 30], server.Transactions.Select(t => t.Recipients.Count));
        Assert.Equal(7, server.DataCommands);
        Assert.Equal(Addresses(250).Order(), server.Transactions.SelectMany(t => t.Recipients).Order());
    }

    private static string[] Addresses(int count) => Enumerable.Range(1, count).Select(i => $"r{i:D3}@example.org").ToArray();

    /// <summary>One message to <paramref name="count"/> recipients: one row each, same group key and content.</summary>
    private static OutgoingMessage[] Group(int count)
    {
        var key = $"<{Guid.NewGuid()}@mailer.example.com>";
        MimeMessage Build() => new()
        {
            From = { MailboxAddress.Parse("bounce@mailer.example.com") },
            To = { MailboxAddress.Parse("list@example.org") },
            Subject = "C06",
            Body = new TextPart("plain") { Text = "hello\n" },
        };
        return Addresses(count)
            .Select(a => new OutgoingMessage(Guid.NewGuid(), MailboxAddress.Parse("bounce@mailer.example.com"), MailboxAddress.Parse(a), Build, key))
            .ToArray();
    }

    private static async Task<IReadOnlyList<SendOutcome>> SendAsync(string endpoint, IReadOnlyList<OutgoingMessage> messages, int? maxRecipientsPerTransaction)
    {
        await using var pool = Pool();
        var sender = maxRecipientsPerTransaction is { } max
            ? new SmtpBatchSender(new FixedRouter(SmtpEndpoint.Parse(endpoint)), pool, NullLogger<SmtpBatchSender>.Instance) { MaxRecipientsPerTransaction = max }
            : new SmtpBatchSender(new FixedRouter(SmtpEndpoint.Parse(endpoint)), pool, NullLogger<SmtpBatchSender>.Instance);
        return await sender.SendAsync("example.org", messages, 10, Cancel).WaitAsync(TimeSpan.FromSeconds(60), Cancel);
    }
}
