using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Orleans.Mail.Delivery.Composition;

namespace Orleans.Mail.Delivery.Tests;

public sealed class MessageComposerTests
{
    private static readonly DateTimeOffset Now = new(2025, 4, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly Guid MessageUuid = Guid.Parse("0195f1a2-b3c4-7d5e-8f60-718293a4b5c6");

    private static MessageComposer Composer(string domain = "mail.shop.example") =>
        new(Options.Create(new SmtpOptions { MessageIdDomain = domain }), new FakeTimeProvider(Now));

    private static CampaignContent Campaign(string html = "<p>Hello {{ name }}, {{ email }}</p>") => new(
        from: "Shop <news@shop.example>",
        envelopeSender: "bounces@shop.example",
        subject: "Offer for {{ name }}",
        textBody: "Hello {{ name }}, you are {{ email }}",
        htmlBody: html,
        headers: [new("List-Unsubscribe", "<mailto:unsubscribe@shop.example>"), new("X-Campaign", "spring")]);

    [Fact]
    public void ComposeCampaign_HundredMessagesWrittenAndDropped_CampaignContentKeepsNoneAlive()
    {
        // The campaign content is cached for the whole campaign; its messages must not stay reachable from it
        // (a shared From mailbox did that through MimeKit's Changed events: 58,230 messages alive mid-campaign).
        var composer = Composer();
        var campaign = Campaign();
        var dropped = ComposeAndForget(composer, campaign, 100);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // A runtime may keep the odd object of the last call reachable for a while; the leak kept every one.
        Assert.InRange(dropped.Count(w => w.IsAlive), 0, 2);
        Assert.Equal("Shop <news@shop.example>", composer.ComposeCampaign(campaign, MessageUuid, "ann@example.com", null).Headers[HeaderId.From]?.Trim());
        GC.KeepAlive(campaign);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<WeakReference> ComposeAndForget(MessageComposer composer, CampaignContent campaign, int count)
    {
        var dropped = new List<WeakReference>(count);
        for (var i = 0; i < count; i++)
        {
            var message = composer.ComposeCampaign(campaign, Guid.NewGuid(), $"bob{i}@example.com", null);
            using var written = new MemoryStream();
            message.WriteTo(written);
            dropped.Add(new WeakReference(message));
        }

        return dropped;
    }

    [Fact]
    public void MessageIdFor_Uuid_IsHexUuidAtConfiguredDomain()
    {
        Assert.Equal("0195f1a2b3c47d5e8f60718293a4b5c6@mail.shop.example", Composer().MessageIdFor(MessageUuid));
    }

    [Fact]
    public void ComposeCampaign_MessageId_HeaderIsAngleBracketedUuidAtDomain()
    {
        var message = Composer("ids.example").ComposeCampaign(Campaign(), MessageUuid, "ann@example.com", null);

        Assert.Equal("0195f1a2b3c47d5e8f60718293a4b5c6@ids.example", message.MessageId);
        Assert.Equal("<0195f1a2b3c47d5e8f60718293a4b5c6@ids.example>", message.Headers[HeaderId.MessageId]?.Trim());
    }

    [Fact]
    public void ComposeCampaign_SameUuidTwice_SameMessageId()
    {
        var composer = Composer();

        var first = composer.ComposeCampaign(Campaign(), MessageUuid, "ann@example.com", null);
        var second = composer.ComposeCampaign(Campaign(), MessageUuid, "ann@example.com", null);

        Assert.Equal(first.MessageId, second.MessageId);
    }

    [Fact]
    public void ComposeCampaign_Recipient_SetsFromToSubjectAndDate()
    {
        var message = Composer().ComposeCampaign(Campaign(), MessageUuid, "ann@example.com", """{"name":"Ann"}""");

        var from = Assert.IsType<MailboxAddress>(Assert.Single(message.From));
        Assert.Equal("Shop", from.Name);
        Assert.Equal("news@shop.example", from.Address);
        var to = Assert.IsType<MailboxAddress>(Assert.Single(message.To));
        Assert.Equal("ann@example.com", to.Address);
        Assert.Empty(message.Cc);
        Assert.Equal("Offer for Ann", message.Subject);
        Assert.Equal(Now, message.Date);
    }

    [Fact]
    public void ComposeCampaign_Variables_PersonalisesTextAndHtmlParts()
    {
        var message = Composer().ComposeCampaign(Campaign(), MessageUuid, "ann@example.com", """{"name":"Ann & <Co>"}""");

        Assert.Equal("Hello Ann & <Co>, you are ann@example.com", message.TextBody);
        Assert.Equal("<p>Hello Ann &amp; &lt;Co&gt;, ann@example.com</p>", message.HtmlBody);
        Assert.Equal("Offer for Ann & <Co>", message.Subject);
        Assert.IsType<MultipartAlternative>(message.Body);
    }

    [Fact]
    public void ComposeCampaign_ExtraHeaders_ArePresent()
    {
        var message = Composer().ComposeCampaign(Campaign(), MessageUuid, "ann@example.com", null);

        Assert.Equal("<mailto:unsubscribe@shop.example>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("spring", message.Headers["X-Campaign"]);
    }

    [Fact]
    public void ComposeCampaign_NoVariables_RendersMissingValuesEmpty()
    {
        var message = Composer().ComposeCampaign(Campaign(), MessageUuid, "bob@example.com", null);

        // MimeKit trims the decoded Subject value.
        Assert.Equal("Offer for", message.Subject);
        Assert.Equal("Hello , you are bob@example.com", message.TextBody);
    }

    [Fact]
    public void ComposeCampaign_NoHtmlTemplate_HasOnlyTextPart()
    {
        var message = Composer().ComposeCampaign(Campaign(html: ""), MessageUuid, "ann@example.com", """{"name":"Ann"}""");

        Assert.Null(message.HtmlBody);
        Assert.Equal("Hello Ann, you are ann@example.com", message.TextBody);
        var part = Assert.IsType<TextPart>(message.Body);
        Assert.True(part.IsPlain);
    }

    [Fact]
    public void ComposeCampaign_BadVariablesJson_Throws()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(
            () => Composer().ComposeCampaign(Campaign(), MessageUuid, "ann@example.com", "{not json"));
    }

    private static TransactionalContent Transactional() => new(
        From: "Shop <orders@shop.example>",
        EnvelopeSender: "bounces@shop.example",
        To: ["Ann <ann@example.com>", "bob@example.net"],
        Cc: ["Carl <carl@example.org>"],
        Subject: "Order 42 shipped",
        TextBody: "Your order {{ id }} shipped.",
        HtmlBody: "<p>Your order shipped.</p>",
        Headers: [new("X-Order", "42")]);

    [Fact]
    public void ComposeTransactional_Content_PutsEveryToAndCcInHeaders()
    {
        var message = Composer().ComposeTransactional(Transactional(), MessageUuid);

        Assert.Equal(["ann@example.com", "bob@example.net"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("Ann", message.To.Mailboxes.First().Name);
        Assert.Equal(["carl@example.org"], message.Cc.Mailboxes.Select(m => m.Address));
        Assert.Equal("orders@shop.example", Assert.Single(message.From.Mailboxes).Address);
    }

    [Fact]
    public void ComposeTransactional_Content_SetsSubjectBodiesHeadersAndMessageId()
    {
        var message = Composer().ComposeTransactional(Transactional(), MessageUuid);

        Assert.Equal("Order 42 shipped", message.Subject);
        Assert.Equal("Your order {{ id }} shipped.", message.TextBody);
        Assert.Equal("<p>Your order shipped.</p>", message.HtmlBody);
        Assert.Equal("42", message.Headers["X-Order"]);
        Assert.Equal("0195f1a2b3c47d5e8f60718293a4b5c6@mail.shop.example", message.MessageId);
        Assert.Equal(Now, message.Date);
    }

    [Fact]
    public void ComposeTransactional_HtmlOnly_HasNoTextPart()
    {
        var content = Transactional() with { TextBody = "" };

        var message = Composer().ComposeTransactional(content, MessageUuid);

        Assert.Null(message.TextBody);
        Assert.Equal("<p>Your order shipped.</p>", message.HtmlBody);
    }
}
