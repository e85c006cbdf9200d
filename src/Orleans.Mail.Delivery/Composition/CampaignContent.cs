using Fluid;
using MimeKit;

namespace Orleans.Mail.Delivery.Composition;

/// <summary>A campaign's definition with its templates parsed once, shared by every message of the campaign.</summary>
public sealed class CampaignContent
{
    /// <summary>Parses the templates and addresses of a campaign.</summary>
    /// <param name="from">The From header, an RFC 5322 mailbox.</param>
    /// <param name="envelopeSender">The MAIL FROM address.</param>
    /// <param name="subject">The subject, a Liquid template.</param>
    /// <param name="textBody">The plain-text body, a Liquid template; empty for none.</param>
    /// <param name="htmlBody">The HTML body, a Liquid template; empty for none.</param>
    /// <param name="headers">Extra header fields for every message.</param>
    /// <param name="tenantId">
    /// The owning tenant; empty (the default) when unknown, and then no one-click unsubscribe header (RFC 8058) can be added.
    /// </param>
    /// <param name="campaignId">The campaign id, carried in the unsubscribe token; default <see cref="Guid.Empty"/>.</param>
    /// <exception cref="FormatException">A template or address is invalid (the gateway rejects these first).</exception>
    public CampaignContent(
        string from, string envelopeSender, string subject, string textBody, string htmlBody, IReadOnlyList<KeyValuePair<string, string>> headers,
        string tenantId = "", Guid campaignId = default)
    {
        TenantId = tenantId ?? string.Empty;
        CampaignId = campaignId;
        From = MailboxAddress.Parse(from);
        EnvelopeSender = MailboxAddress.Parse(envelopeSender);
        Subject = LiquidTemplates.Parse(subject);
        TextBody = string.IsNullOrEmpty(textBody) ? null : LiquidTemplates.Parse(textBody);
        HtmlBody = string.IsNullOrEmpty(htmlBody) ? null : LiquidTemplates.Parse(htmlBody);
        StaticBody = StaticCampaignBody.TryCreate(textBody, htmlBody);
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

    /// <summary>The body encoded once when neither body template has Liquid markup; null when either has.</summary>
    public StaticCampaignBody? StaticBody { get; }

    /// <summary>The owning tenant, or empty when unknown (then no unsubscribe header is added).</summary>
    public string TenantId { get; }

    /// <summary>The campaign id, or <see cref="Guid.Empty"/> when unknown.</summary>
    public Guid CampaignId { get; }

    /// <summary>Extra header fields.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }
}
