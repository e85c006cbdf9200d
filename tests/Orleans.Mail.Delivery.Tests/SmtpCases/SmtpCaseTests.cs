using System.Text;
using MimeKit;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.TestSupport;
using static Orleans.Mail.Delivery.Tests.SmtpCases.SmtpCaseHarness;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>
/// Cases of <c>design/smtp-cases.md</c> through the real sender against real loopback servers: the raw
/// scripted fake (F4) where the case needs exact bytes, Postfix smtp-sink (F2) and SmtpServer (F1) elsewhere.
/// </summary>
public sealed class SmtpCaseTests
{
    // ---- C01: multi-line 220 greeting ----

    [Fact]
    public async Task C01_ThreeLineGreeting_DeliveredAndNothingSentBeforeFinal220Line()
    {
        var spokeEarly = new List<bool>();
        await using var fake = RawSmtpFake.Start(async c =>
        {
            await c.WriteAsync("220-mx.example.net ESMTP Exim 4.88\r\n");
            spokeEarly.Add(c.ClientHasSent(TimeSpan.FromMilliseconds(300)));
            await c.WriteAsync("220-We do not authorize the use of this system for unsolicited\r\n");
            spokeEarly.Add(c.ClientHasSent(TimeSpan.FromMilliseconds(300)));
            await c.WriteAsync("220 and/or bulk e-mail.\r\n");
            await c.ServeAsync(Ehlo);
        });

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [Message("user@example.org")]));

        Assert.Equal(SendResultKind.Delivered, outcome.Kind);
        Assert.Equal([false, false], spokeEarly);
        var connection = Assert.Single(fake.Connections);
        Assert.StartsWith("EHLO ", connection.Commands[0]);
        Assert.Single(connection.Data);
    }

    [Theory]
    [InlineData("220-mx.example.net ESMTP\r\n521 mx.example.net does not accept mail\r\n")]
    [InlineData("554 5.7.1 mx.example.net: no SMTP service here\r\n")]
    public async Task C01_RefusingOrMixedCodeGreeting_DeferredAtConnectNotBouncedNoCrash(string greeting)
    {
        await using var fake = RawSmtpFake.Start(async c => await c.WriteAsync(greeting));

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [Message("user@example.org")]));

        // A banner-level refusal is about the host, not the recipient: defer (Postfix skips such hosts).
        Assert.Equal((SendResultKind.Temporary, "connect"), (outcome.Kind, outcome.Stage));
        Assert.All(fake.Connections, c => Assert.DoesNotContain(c.Commands, cmd => cmd.StartsWith("MAIL", StringComparison.Ordinal)));
        if (outcome.Code != 0)
        {
            var meaning = Orleans.Mail.Delivery.Classification.ReplyClassifier.Default.Classify(Orleans.Mail.Delivery.Classification.SmtpStage.Connect, outcome.Reply);
            Assert.Equal(Orleans.Mail.Delivery.Classification.ReplyAction.Defer, meaning.Action);
        }
    }

    // ---- C04: 421 and disconnect in the middle of the body ----

    [Fact]
    public async Task C04_421AndCloseMidBody_TemporaryNotUncertainAndNextMessageOnNewConnection()
    {
        await using var fake = RawSmtpFake.Start(async c =>
        {
            await c.WriteAsync(Greeting);
            if (c.Index > 0)
            {
                await c.ServeAsync(Ehlo);
                return;
            }

            await c.ServeAsync(Ehlo, async command =>
            {
                if (command != "DATA")
                {
                    return false;
                }

                await c.WriteAsync("354 End data with <CR><LF>.<CR><LF>\r\n");
                await c.SkipAsync(64 * 1024);
                await c.WriteAsync("421 4.4.2 mx.example.net data timeout - closing connection\r\n");
                return true;
            });
        });
        var line = new string('x', 76) + "\n";
        var big = Message("big@example.org", () => new MimeMessage
        {
            From = { MailboxAddress.Parse("bounce@mailer.example.com") },
            To = { MailboxAddress.Parse("big@example.org") },
            Subject = "5 MiB",
            Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat(line, 5 * 1024 * 1024 / line.Length)) },
        });

        var outcomes = await SendAsync(fake.Endpoint, [big, Message("next@example.org")]);

        Assert.Equal(2, outcomes.Count);
        Assert.Equal((SendResultKind.Temporary, false), (outcomes[0].Kind, outcomes[0].Uncertain));
        Assert.NotEqual("dot", outcomes[0].Stage);
        Assert.Equal(SendResultKind.Delivered, outcomes[1].Kind);
        Assert.Equal(2, fake.Connections.Count);
        Assert.Empty(fake.Connections[0].Data);
        Assert.Contains("RCPT TO:<next@example.org>", fake.Connections[1].Commands);
        Assert.Single(fake.Connections[1].Data);
    }

    // ---- Connection lost after the final dot: uncertain ----

    [Fact]
    public async Task Uncertain_CloseAfterFinalDotWithoutReply_UncertainAtStageDot()
    {
        await using var fake = RawSmtpFake.Start(async c =>
        {
            await c.WriteAsync(Greeting);
            await c.ServeAsync(Ehlo, async command =>
            {
                if (command != "DATA")
                {
                    return false;
                }

                await c.WriteAsync("354 go ahead\r\n");
                await c.ReadDataAsync();
                return true; // close with no reply to the final dot
            });
        });

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [Message("user@example.org")]));

        Assert.Equal((SendResultKind.Temporary, true, "dot", 0), (outcome.Kind, outcome.Uncertain, outcome.Stage, outcome.Code));
        Assert.Single(Assert.Single(fake.Connections).Data);
    }

    // ---- C20: STARTTLS offered, handshake fails ----

    private const string EhloWithStartTls = "250-mx.example.net\r\n250-STARTTLS\r\n250 8BITMIME\r\n";

    private static RawSmtpFake BrokenStartTlsServer(string ehlo = EhloWithStartTls) => RawSmtpFake.Start(async c =>
    {
        await c.WriteAsync(Greeting);
        await c.ServeAsync(ehlo, async command =>
        {
            if (command != "STARTTLS")
            {
                return false;
            }

            await c.WriteAsync("220 2.0.0 Ready to start TLS\r\n");
            await c.WriteAsync("this is not a TLS record\r\n");
            return true;
        });
    });

    [Fact]
    public async Task C20_StartTlsHandshakeFails_OpportunisticRetriesInCleartextOnNewConnectionAndDelivers()
    {
        await using var fake = BrokenStartTlsServer();

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [Message("user@example.org")]));

        Assert.Equal((SendResultKind.Delivered, false), (outcome.Kind, outcome.Tls));
        Assert.StartsWith("STARTTLS failed", outcome.TlsNote);
        Assert.Equal(2, fake.Connections.Count);
        Assert.Contains("STARTTLS", fake.Connections[0].Commands);
        Assert.DoesNotContain(fake.Connections[0].Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.DoesNotContain("STARTTLS", fake.Connections[1].Commands);
        Assert.Single(fake.Connections[1].Data);
    }

    [Fact]
    public async Task C20_StartTlsHandshakeFailsAndDomainRequiresTls_DeferredTlsRequiredNeverCleartext()
    {
        await using var fake = BrokenStartTlsServer();

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [Message("user@example.org")], o => o.RequireTlsDomains = ["EXAMPLE.org"]));

        Assert.Equal((SendResultKind.Temporary, "tls-required", false), (outcome.Kind, outcome.Class, outcome.Uncertain));
        Assert.Contains("TLS is required", outcome.Reply);
        Assert.NotEmpty(fake.Connections);
        Assert.All(fake.Connections, c =>
        {
            Assert.DoesNotContain(c.Commands, command => command.StartsWith("MAIL", StringComparison.Ordinal));
            Assert.Empty(c.Data);
        });
    }

    [Fact]
    public async Task C20_StartTlsNotOfferedAndDomainRequiresTls_DeferredTlsRequiredNothingSent()
    {
        await using var fake = BrokenStartTlsServer(Ehlo);

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [Message("user@example.org")], o => o.RequireTlsDomains = ["example.org"]));

        Assert.Equal((SendResultKind.Temporary, "tls-required"), (outcome.Kind, outcome.Class));
        Assert.All(fake.Connections, c => Assert.DoesNotContain(c.Commands, command => command.StartsWith("MAIL", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task C20_PooledCleartextSessionAndDomainRequiresTls_NotReusedDeferredTlsRequired()
    {
        await using var fake = BrokenStartTlsServer(Ehlo);
        await using var pool = Pool(o => o.RequireTlsDomains = ["example.org"]);

        var opportunistic = Assert.Single(await SendAsync(pool, fake.Endpoint, [Message("user@other.example")], domain: "other.example"));
        var required = Assert.Single(await SendAsync(pool, fake.Endpoint, [Message("user@example.org")]));

        Assert.Equal((SendResultKind.Delivered, false), (opportunistic.Kind, opportunistic.Tls));
        Assert.Equal((SendResultKind.Temporary, "tls-required"), (required.Kind, required.Class));
        Assert.Equal(2, fake.Connections.Count);
        Assert.Equal(["RCPT TO:<user@other.example>"], fake.Connections.SelectMany(c => c.Commands).Where(c => c.StartsWith("RCPT", StringComparison.Ordinal)));
    }

    // ---- C22: non-ASCII local part ----

    [Fact]
    public async Task C22_Smtputf8Offered_DeliveredWithSmtputf8AndUtf8LocalPartNotPunycoded()
    {
        await using var fake = RawSmtpFake.Start(async c =>
        {
            await c.WriteAsync(Greeting);
            await c.ServeAsync("250-mx.example.net\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n");
        });

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [Message("josé.müller@example.org")]));

        Assert.Equal(SendResultKind.Delivered, outcome.Kind);
        var commands = Assert.Single(fake.Connections).Commands;
        Assert.Contains(commands, c => c.StartsWith("MAIL FROM:<bounce@mailer.example.com>", StringComparison.Ordinal) && c.Contains(" SMTPUTF8", StringComparison.Ordinal));
        Assert.Contains("RCPT TO:<josé.müller@example.org>", commands);
    }

    [Fact]
    public async Task C22_Smtputf8NotOffered_Permanent553With567ProtocolAndNoDataWhileAsciiRecipientDelivered()
    {
        await using var sink = await SmtpSink.LaunchAsync();

        var outcomes = await SendAsync(sink.Endpoint, [Message("josé.müller@example.org"), Message("ascii@example.org")]);

        Assert.Equal(2, outcomes.Count);
        var refused = outcomes[0];
        Assert.Equal((SendResultKind.Permanent, 553, "protocol"), (refused.Kind, refused.Code, refused.Class));
        Assert.StartsWith("553 5.6.7 ", refused.Reply);
        Assert.Equal(SendResultKind.Delivered, outcomes[1].Kind);
        var received = Assert.Single(sink.ReadMessages());
        Assert.Equal(["ascii@example.org"], received.Recipients);
        Assert.DoesNotContain(File.ReadAllBytes(received.Path), b => b >= 0x80);
    }

    // ---- C24: server without 8BITMIME ----

    private const string Greeting8Bit = "<p>Grüße aus Köln</p>";

    private static OutgoingMessage EightBitMessage() => Message("user@example.org", () =>
    {
        var body = new TextPart("html") { Text = Greeting8Bit + "\n<p>" + string.Concat(Enumerable.Repeat("long ü line ", 200)) + "</p>\n" };
        body.ContentTransferEncoding = ContentEncoding.EightBit;
        return new MimeMessage
        {
            From = { MailboxAddress.Parse("bounce@mailer.example.com") },
            To = { MailboxAddress.Parse("user@example.org") },
            Subject = "Grüße",
            Body = body,
        };
    });

    [Fact]
    public async Task C24_No8BitMime_8BitBodySentAs7BitTransferEncodingWithCrlfAndShortLines()
    {
        await using var fake = RawSmtpFake.Start(async c =>
        {
            await c.WriteAsync(Greeting);
            await c.ServeAsync("250-mx.example.net\r\n250 ENHANCEDSTATUSCODES\r\n");
        });

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [EightBitMessage()]));

        Assert.Equal(SendResultKind.Delivered, outcome.Kind);
        var connection = Assert.Single(fake.Connections);
        Assert.DoesNotContain(connection.Commands, c => c.Contains("BODY=8BITMIME", StringComparison.OrdinalIgnoreCase));
        var wire = Assert.Single(connection.Data);
        Assert.DoesNotContain(wire, b => b >= 0x80);
        for (var i = 0; i < wire.Length; i++)
        {
            if (wire[i] == (byte)'\n')
            {
                Assert.True(i > 0 && wire[i - 1] == (byte)'\r', $"bare LF at offset {i}");
            }
        }

        Assert.All(Encoding.ASCII.GetString(wire).Split("\r\n"), l => Assert.InRange(l.Length, 0, 998));
        var received = MimeMessage.Load(new MemoryStream(wire), Cancel);
        var part = Assert.IsType<TextPart>(received.Body);
        Assert.Contains(part.ContentTransferEncoding, new[] { ContentEncoding.QuotedPrintable, ContentEncoding.Base64 });
        Assert.StartsWith(Greeting8Bit, part.Text);
        Assert.Equal("Grüße", received.Subject);
    }

    [Fact]
    public async Task C24_SmtpSinkWithout8BitMime_NoOctetAbove7FAndNoBody8BitMime()
    {
        await using var sink = await SmtpSink.LaunchAsync("-8");

        var outcome = Assert.Single(await SendAsync(sink.Endpoint, [EightBitMessage()]));

        Assert.Equal(SendResultKind.Delivered, outcome.Kind);
        var received = Assert.Single(sink.ReadMessages());
        Assert.DoesNotContain(File.ReadAllBytes(received.Path), b => b >= 0x80);
        Assert.DoesNotContain(received.Message.Headers, h => h.Field == "X-Mail-Args" && h.Value.Contains("8BITMIME", StringComparison.OrdinalIgnoreCase));
        Assert.StartsWith(Greeting8Bit, Assert.IsType<TextPart>(received.Message.Body).Text);
    }

    [Fact]
    public async Task C22_RawUtf8SubjectToServerWithoutSmtputf8_SubjectRfc2047EncodedAndDelivered()
    {
        await using var sink = await SmtpSink.LaunchAsync();
        var message = Message("user@example.org", () => new MimeMessage
        {
            From = { new MailboxAddress("Jürgen Müller", "bounce@mailer.example.com") },
            To = { MailboxAddress.Parse("user@example.org") },
            Subject = "Grüße aus Köln",
            Body = new TextPart("plain") { Text = "Hallo" },
        });

        var outcome = Assert.Single(await SendAsync(sink.Endpoint, [message]));

        Assert.Equal(SendResultKind.Delivered, outcome.Kind);
        var received = Assert.Single(sink.ReadMessages());
        Assert.DoesNotContain(File.ReadAllBytes(received.Path), b => b >= 0x80);
        Assert.Contains("=?utf-8?", File.ReadAllText(received.Path), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Grüße aus Köln", received.Message.Subject);
        Assert.Equal("Jürgen Müller", received.Message.From.Mailboxes.Single().Name);
    }

    // ---- C26: lines starting with "." ----

    private const string DotBody = ".hidden config\r\n.\r\n..\r\nend\r\n";

    private static OutgoingMessage DotMessage() => Message("user@example.org", () => new MimeMessage
    {
        From = { MailboxAddress.Parse("bounce@mailer.example.com") },
        To = { MailboxAddress.Parse("user@example.org") },
        Subject = "dots",
        Body = new TextPart("plain") { Text = DotBody, ContentTransferEncoding = ContentEncoding.SevenBit },
    });

    [Fact]
    public async Task C26_LinesStartingWithDot_StuffedOnTheWire()
    {
        await using var fake = RawSmtpFake.Start(async c =>
        {
            await c.WriteAsync(Greeting);
            await c.ServeAsync(Ehlo);
        });

        var outcome = Assert.Single(await SendAsync(fake.Endpoint, [DotMessage()]));

        Assert.Equal(SendResultKind.Delivered, outcome.Kind);
        var wire = Encoding.ASCII.GetString(Assert.Single(Assert.Single(fake.Connections).Data));
        Assert.EndsWith("\r\n\r\n..hidden config\r\n..\r\n...\r\nend\r\n", wire);
    }

    [Fact]
    public async Task C26_LinesStartingWithDot_ArriveIntactAtReceiver()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();

        var outcome = Assert.Single(await SendAsync(server.Endpoint, [DotMessage()]));

        Assert.Equal(SendResultKind.Delivered, outcome.Kind);
        var received = Assert.Single(server.Received);
        // Line for line (SmtpServer hands over the message without the CRLF that precedes the final dot).
        var text = Assert.IsType<TextPart>(received.Message.Body).Text;
        Assert.Equal([".hidden config", ".", "..", "end"], text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }
}
