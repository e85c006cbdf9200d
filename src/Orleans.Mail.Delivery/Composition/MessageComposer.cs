using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using Orleans.Mail.Delivery.Dkim;

namespace Orleans.Mail.Delivery.Composition;

/// <summary>
/// Builds the MIME message for one envelope recipient. The Message-ID is derived from the message uuid, so
/// a resend after an uncertain attempt carries the same Message-ID. With <see cref="UnsubscribeOptions"/> on, campaign
/// messages get one-click unsubscribe headers (RFC 8058, RFC 2369); transactional messages never do. With a
/// <see cref="DkimMessageSigner"/> whose keys cover the From domain, the finished message is prepared as 7-bit and
/// DKIM-signed (RFC 6376), so it must not be changed afterwards.
/// </summary>
/// <param name="options">SMTP settings (the Message-ID domain).</param>
/// <param name="time">The clock for the Date header.</param>
/// <param name="unsubscribe">One-click unsubscribe settings; null (the default) for off.</param>
/// <param name="dkim">The DKIM signer; null (the default) for unsigned messages.</param>
public sealed class MessageComposer(
    IOptions<SmtpOptions> options, TimeProvider time, IOptions<UnsubscribeOptions>? unsubscribe = null, DkimMessageSigner? dkim = null)
{
    /// <summary>The RFC 2369 header naming the unsubscribe URL.</summary>
    public const string ListUnsubscribe = "List-Unsubscribe";

    /// <summary>The RFC 8058 header announcing one-click support.</summary>
    public const string ListUnsubscribePost = "List-Unsubscribe-Post";

    /// <summary>The only value of <see cref="ListUnsubscribePost"/> (RFC 8058 §3.1), also the POST body providers send.</summary>
    public const string OneClick = "List-Unsubscribe=One-Click";

    /// <summary>The Message-ID (without angle brackets) of message <paramref name="messageId"/>.</summary>
    public string MessageIdFor(Guid messageId) => $"{messageId:N}@{options.Value.MessageIdDomain}";

    /// <summary>Renders a campaign message for <paramref name="recipient"/> with its variables (a JSON object of strings, or null).</summary>
    public MimeMessage ComposeCampaign(CampaignContent content, Guid messageId, string recipient, string? variablesJson)
    {
        var variables = string.IsNullOrEmpty(variablesJson)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(variablesJson) ?? [];
        var message = NewMessage(messageId, content.Headers);
        // A mailbox of the message's own: an address list subscribes to its addresses' Changed events, so adding
        // the campaign's shared From would make the cached campaign content hold every message ever composed.
        message.From.Add(new MailboxAddress(content.From.Name, content.From.Address));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = LiquidTemplates.Render(content.Subject, recipient, variables, html: false);
        message.Body = content.StaticBody?.NewEntity() ?? new BodyBuilder
        {
            TextBody = content.TextBody is null ? null : LiquidTemplates.Render(content.TextBody, recipient, variables, html: false),
            HtmlBody = content.HtmlBody is null ? null : LiquidTemplates.Render(content.HtmlBody, recipient, variables, html: true),
        }.ToMessageBody();
        AddOneClickUnsubscribe(message, content, recipient);
        dkim?.Sign(message);
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
        dkim?.Sign(message);
        return message;
    }

    /// <summary>
    /// Adds <c>List-Unsubscribe: &lt;{BaseUrl}/u/{token}&gt;</c> and <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>
    /// when the feature is on and the campaign's tenant is known. They replace any the campaign set itself; a
    /// <c>mailto:</c> entry from those is kept after the URL (RFC 8058 §3.1 allows it, and the HTTPS URI must be there).
    /// </summary>
    private void AddOneClickUnsubscribe(MimeMessage message, CampaignContent content, string recipient)
    {
        var settings = unsubscribe?.Value;
        if (settings is null || !settings.Enabled || string.IsNullOrEmpty(content.TenantId))
        {
            return;
        }

        var mailtos = message.Headers.Where(h => string.Equals(h.Field, ListUnsubscribe, StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Split(','))
            .Select(v => v.Trim())
            .Where(v => v.StartsWith("<mailto:", StringComparison.OrdinalIgnoreCase) && v.EndsWith('>'))
            .ToList();
        message.Headers.RemoveAll(ListUnsubscribe);
        message.Headers.RemoveAll(ListUnsubscribePost);
        var token = UnsubscribeTokenWriter.Create(settings.Secret, content.TenantId, recipient, content.CampaignId);
        var value = string.Join(", ", mailtos.Prepend($"<{settings.UrlFor(token)}>"));
        message.Headers.Add(RawHeader(ListUnsubscribe, value));
        message.Headers.Add(RawHeader(ListUnsubscribePost, OneClick));
    }

    /// <summary>A header written exactly as given (ASCII, one line), so that the URL is never folded or encoded.</summary>
    private static Header RawHeader(string name, string value)
    {
        var header = new Header(name, value);
        header.SetRawValue(Encoding.ASCII.GetBytes($" {value}\r\n"));
        return header;
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
