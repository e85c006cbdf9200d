using Fluid;
using MimeKit;

namespace Orleans.Mail.Delivery.Composition;

/// <summary>A campaign's definition with its templates parsed once, shared by every message of the campaign.</summary>
public sealed class CampaignContent
{
    /// <summary>Parses the templates and addresses of a campaign.</summary>
    /// <exception cref="FormatException">A template or address is invalid (the gateway rejects these first).</exception>
    public CampaignContent(
        string from, string envelopeSender, string subject, string textBody, string htmlBody, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        From = MailboxAddress.Parse(from);
        EnvelopeSender = MailboxAddress.Parse(envelopeSender);
        Subject = LiquidTemplates.Parse(subject);
        TextBody = string.IsNullOrEmpty(textBody) ? null : LiquidTemplates.Parse(textBody);
        HtmlBody = string.IsNullOrEmpty(htmlBody) ? null : LiquidTemplates.Parse(htmlBody);
        Headers = headers;
    }

    /// <summary>The From header.</summary>
    public MailboxAddress From { get; }

    /// <summary>The envelope sender (MAIL FROM).</summary>
    public MailboxAddress EnvelopeSender { get; }

    /// <summary>The subject template.</summary>
    public IFluidTemplate Subject { get; }

    /// <summary>The plain-text body template, or null.</summary>
    public IFluidTemplate? TextBody { get; }

    /// <summary>The HTML body template, or null.</summary>
    public IFluidTemplate? HtmlBody { get; }

    /// <summary>Extra header fields.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }
}
