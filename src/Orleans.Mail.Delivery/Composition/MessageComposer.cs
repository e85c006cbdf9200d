using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Orleans.Mail.Delivery.Composition;

/// <summary>
/// Builds the MIME message for one envelope recipient. The Message-ID is derived from the message uuid, so
/// a resend after an uncertain attempt carries the same Message-ID.
/// </summary>
public sealed class MessageComposer(IOptions<SmtpOptions> options, TimeProvider time)
{
    /// <summary>The Message-ID (without angle brackets) of message <paramref name="messageId"/>.</summary>
    public string MessageIdFor(Guid messageId) => $"{messageId:N}@{options.Value.MessageIdDomain}";

    /// <summary>Renders a campaign message for <paramref name="recipient"/> with its variables (a JSON object of strings, or null).</summary>
    public MimeMessage ComposeCampaign(CampaignContent content, Guid messageId, string recipient, string? variablesJson)
    {
        var variables = string.IsNullOrEmpty(variablesJson)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(variablesJson) ?? [];
        var body = new BodyBuilder
        {
            TextBody = content.TextBody is null ? null : LiquidTemplates.Render(content.TextBody, recipient, variables, html: false),
            HtmlBody = content.HtmlBody is null ? null : LiquidTemplates.Render(content.HtmlBody, recipient, variables, html: true),
        };
        var message = NewMessage(messageId, content.Headers);
        message.From.Add(content.From);
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = LiquidTemplates.Render(content.Subject, recipient, variables, html: false);
        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>Builds a transactional message; every To and Cc is in the headers whichever recipient it goes to.</summary>
    public MimeMessage ComposeTransactional(TransactionalContent content, Guid messageId)
    {
        var message = NewMessage(messageId, content.Headers);
        message.From.Add(MailboxAddress.Parse(content.From));
        message.To.AddRange(content.To.Select(InternetAddress.Parse));
        message.Cc.AddRange(content.Cc.Select(InternetAddress.Parse));
        message.Subject = content.Subject;
        message.Body = new BodyBuilder
        {
            TextBody = string.IsNullOrEmpty(content.TextBody) ? null : content.TextBody,
            HtmlBody = string.IsNullOrEmpty(content.HtmlBody) ? null : content.HtmlBody,
        }.ToMessageBody();
        return message;
    }

    private MimeMessage NewMessage(Guid messageId, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var message = new MimeMessage
        {
            Date = time.GetUtcNow(),
            MessageId = MessageIdFor(messageId),
        };
        foreach (var (name, value) in headers)
        {
            message.Headers.Add(name, value);
        }

        return message;
    }
}
