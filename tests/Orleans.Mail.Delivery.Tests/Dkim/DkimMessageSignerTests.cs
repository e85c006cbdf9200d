using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Orleans.Mail.Delivery.Composition;
using Orleans.Mail.Delivery.Dkim;

namespace Orleans.Mail.Delivery.Tests.Dkim;

/// <summary>DKIM signing (RFC 6376) of composed messages: d=, tags, covered headers, 7-bit preparation (C24), dots (C26).</summary>
public sealed class DkimMessageSignerTests
{
    private static readonly Guid MessageUuid = Guid.Parse("0195f1a2-b3c4-7d5e-8f60-718293a4b5c6");
    private static readonly Guid CampaignUuid = Guid.Parse("0195f1a2-0000-7000-8000-000000000014");
    private const string Secret = "dkim-secret-dkim-secret-dkim-secret-0";

    private static DkimTestKey Key => DkimTestKey.Shared;

    internal static MessageComposer Composer(DkimMessageSigner? signer, bool unsubscribe = false) => new(
        Options.Create(new SmtpOptions { MessageIdDomain = "mail.shop.example" }),
        new FakeTimeProvider(new DateTimeOffset(2025, 4, 2, 9, 30, 0, TimeSpan.Zero)),
        Options.Create(unsubscribe ? new UnsubscribeOptions { BaseUrl = "https://unsub.shop.example", Secret = Secret } : new UnsubscribeOptions()),
        signer);

    internal static CampaignContent Campaign(string from = "Shop <news@shop.example>", string text = "Hello {{ email }}", string html = "<p>Hello</p>") => new(
        from, "bounces@shop.example", "Offer", text, html, [], "tenant-a", CampaignUuid);

    private static TransactionalContent Transactional(string text, string html = "", string from = "Shop <orders@shop.example>") => new(
        from, "bounces@shop.example", ["ann@example.org"], ["bob@example.org"], "Your order", text, html, []);

    /// <summary>Writes the message as it goes on the wire (before dot-stuffing) and parses it again, like a receiver.</summary>
    internal static (MimeMessage Message, byte[] Bytes) WireRoundTrip(MimeMessage message)
    {
        using var stream = new MemoryStream();
        var wire = FormatOptions.Default.Clone();
        wire.NewLineFormat = NewLineFormat.Dos;
        message.WriteTo(wire, stream, TestContext.Current.CancellationToken);
        var bytes = stream.ToArray();
        return (MimeMessage.Load(new MemoryStream(bytes), TestContext.Current.CancellationToken), bytes);
    }

    [Fact]
    public void Campaign_FromDomainHasKey_SignedRsaSha256RelaxedWithDEqualFromDomainAndVerifies()
    {
        var message = Composer(Key.Signer("shop.example")).ComposeCampaign(Campaign(), MessageUuid, "ann@example.org", null);

        var (received, _) = WireRoundTrip(message);
        var tags = DkimTags.Of(received);
        Assert.Equal(("shop.example", "sel1", "rsa-sha256", "relaxed/relaxed"), (tags["d"], tags["s"], tags["a"], tags["c"]));
        Assert.Superset(
            new HashSet<string> { "from", "to", "subject", "date", "message-id", "mime-version", "content-type" },
            DkimTags.SignedHeaders(received).ToHashSet());
        Assert.True(Key.Verify(received));
    }

    [Fact]
    public void Transactional_CcPresent_CcSignedAndVerifies()
    {
        var message = Composer(Key.Signer("shop.example")).ComposeTransactional(Transactional("Thanks"), MessageUuid);

        var (received, _) = WireRoundTrip(message);
        Assert.Contains("cc", DkimTags.SignedHeaders(received));
        Assert.True(Key.Verify(received));
    }

    [Fact]
    public void Sign_NoKeyForFromDomain_MessageLeftUnsigned()
    {
        var signer = Key.Signer("shop.example");
        var message = Composer(signer).ComposeCampaign(Campaign(from: "news@other.example"), MessageUuid, "ann@example.org", null);

        Assert.Null(message.Headers[HeaderId.DkimSignature]);
        Assert.Null(signer.Sign(Composer(null).ComposeCampaign(Campaign(from: "news@shopexample"), MessageUuid, "ann@example.org", null)));
    }

    [Fact]
    public void Sign_KeyFileGoneAfterStart_SentUnsignedThenSignedOnceRestored()
    {
        using var key = new DkimTestKey(1024);
        var pem = File.ReadAllText(key.PrivateKeyPath);
        var signer = key.Signer("shop.example");
        File.Delete(key.PrivateKeyPath);

        Assert.Null(signer.Sign(Composer(null).ComposeCampaign(Campaign(), MessageUuid, "ann@example.org", null)));

        File.WriteAllText(key.PrivateKeyPath, pem);
        var message = Composer(null).ComposeCampaign(Campaign(), MessageUuid, "ann@example.org", null);
        Assert.Equal("shop.example", signer.Sign(message));
        Assert.True(key.Verify(WireRoundTrip(message).Message));
    }

    [Fact]
    public void Sign_NoSigner_MessageLeftUnsigned()
    {
        var message = Composer(null).ComposeCampaign(Campaign(), MessageUuid, "ann@example.org", null);

        Assert.Null(message.Headers[HeaderId.DkimSignature]);
    }

    [Fact]
    public void Campaign_OneClickUnsubscribeOn_BothListUnsubscribeHeadersCoveredAndVerifies()
    {
        var message = Composer(Key.Signer("shop.example"), unsubscribe: true).ComposeCampaign(Campaign(), MessageUuid, "ann@example.org", null);

        var (received, _) = WireRoundTrip(message);
        var signed = DkimTags.SignedHeaders(received);
        Assert.Contains("list-unsubscribe", signed);
        Assert.Contains("list-unsubscribe-post", signed);
        Assert.True(Key.Verify(received));
    }

    [Fact]
    public void Campaign_NoUnsubscribeHeaders_ListUnsubscribeNotInH()
    {
        var message = Composer(Key.Signer("shop.example")).ComposeCampaign(Campaign(), MessageUuid, "ann@example.org", null);

        Assert.DoesNotContain("list-unsubscribe", DkimTags.SignedHeaders(message));
    }

    [Fact]
    public void C24_Utf8Body_PreparedSevenBitBeforeSigning_NoHighOctetsAndVerifies()
    {
        var message = Composer(Key.Signer("shop.example")).ComposeTransactional(
            Transactional("Grüße aus Köln — 10 €\r\nZeile zwei", "<p>Grüße aus Köln — 10 €</p>"), MessageUuid);

        var (received, bytes) = WireRoundTrip(message);
        Assert.DoesNotContain(bytes, b => b >= 0x80);
        Assert.All(received.BodyParts.OfType<MimePart>(), part => Assert.True(
            part.ContentTransferEncoding is ContentEncoding.QuotedPrintable or ContentEncoding.Base64 or ContentEncoding.SevenBit,
            $"{part.ContentType.MimeType}: {part.ContentTransferEncoding}"));
        Assert.Contains("Grüße aus Köln — 10 €", received.TextBody, StringComparison.Ordinal);
        Assert.True(Key.Verify(received));
    }

    [Fact]
    public void C24_SigningThenPreparingAgain_NothingReEncodedSoSignatureStillVerifies()
    {
        var message = Composer(Key.Signer("shop.example")).ComposeTransactional(Transactional("Grüße\r\n" + new string('x', 1200)), MessageUuid);

        // What a transport would do for a server without 8BITMIME: already satisfied, so nothing changes.
        message.Prepare(EncodingConstraint.SevenBit, 998);

        var (received, bytes) = WireRoundTrip(message);
        Assert.DoesNotContain(bytes, b => b >= 0x80);
        Assert.True(Key.Verify(received));
    }

    [Fact]
    public void C26_BodyLinesStartingWithDot_VerifiesAndBodyUnchanged()
    {
        const string text = ".hidden config\r\n.\r\n..\r\nend\r\n";
        var message = Composer(Key.Signer("shop.example")).ComposeTransactional(Transactional(text), MessageUuid);

        var (received, bytes) = WireRoundTrip(message);
        Assert.True(Key.Verify(received));
        Assert.Equal(text.ReplaceLineEndings("\n"), received.TextBody?.ReplaceLineEndings("\n"));
        Assert.Contains("\r\n\r\n" + text, Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);

        // On the wire every line starting with "." gets one more (RFC 5321 §4.5.2); the receiver removes it again.
        var stuffed = Encoding.ASCII.GetString(bytes).Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
        var unstuffed = Encoding.ASCII.GetBytes(stuffed.Replace("\r\n..", "\r\n.", StringComparison.Ordinal));
        Assert.Equal(bytes, unstuffed);
    }

    [Fact]
    public void C26_QuotedPrintableSoftBreakBeforeDot_Verifies()
    {
        // A long UTF-8 line becomes quoted-printable with soft breaks; dots land at line starts.
        var line = string.Concat(Enumerable.Repeat("ü.", 200));
        var message = Composer(Key.Signer("shop.example")).ComposeTransactional(Transactional(line), MessageUuid);

        var (received, _) = WireRoundTrip(message);
        Assert.True(Key.Verify(received));
        Assert.Equal(line, (received.TextBody ?? string.Empty).TrimEnd('\r', '\n'));
    }

    [Fact]
    public async Task Sign_ConcurrentMessages_AllVerify()
    {
        var composer = Composer(Key.Signer("shop.example"));
        var messages = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(
            () => composer.ComposeCampaign(Campaign(), Guid.NewGuid(), $"user{i}@example.org", null), TestContext.Current.CancellationToken)));

        Assert.All(messages, m => Assert.True(Key.Verify(WireRoundTrip(m).Message)));
    }

    [Fact]
    public void SigningCost_200Messages_Printed()
    {
        var composer = Composer(null);
        var signer = Key.Signer("shop.example");
        var messages = Enumerable.Range(0, 201).Select(i => composer.ComposeCampaign(Campaign(), Guid.NewGuid(), $"user{i}@example.org", null)).ToList();
        signer.Sign(messages[0]); // key parse and JIT

        var clock = Stopwatch.StartNew();
        foreach (var message in messages.Skip(1))
        {
            signer.Sign(message);
        }

        clock.Stop();
        var perMessage = clock.Elapsed.TotalMilliseconds / 200;
        TestContext.Current.TestOutputHelper?.WriteLine($"DKIM rsa-sha256 2048-bit: {perMessage:F3} ms per message (200 signs)");
        TestContext.Current.SendDiagnosticMessage($"DKIM rsa-sha256 2048-bit: {perMessage:F3} ms per message (200 signs)");
        Assert.All(messages, m => Assert.NotNull(m.Headers[HeaderId.DkimSignature]));
    }
}
