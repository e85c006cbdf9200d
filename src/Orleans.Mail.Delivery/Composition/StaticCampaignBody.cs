using MimeKit;

namespace Orleans.Mail.Delivery.Composition;

/// <summary>
/// A campaign body without Liquid markup, rendered and transfer-encoded (RFC 2045) once and shared by every
/// message of the campaign. Each message still gets MIME entities of its own (MimeKit entities must not be
/// shared by concurrent sends), but they read the same encoded bytes: no render, encoding choice or copy of
/// the text per recipient. A 100 KB body cost about 1 ms of CPU and 0.5 MB of allocations per message
/// through the object model.
/// </summary>
public sealed class StaticCampaignBody
{
    private static readonly FormatOptions Crlf = CreateCrlf();
    private readonly EncodedPart[] _parts;

    private StaticCampaignBody(EncodedPart[] parts) => _parts = parts;

    /// <summary>
    /// The body of a campaign whose templates are both static (<see cref="IsStatic"/>); null when either uses
    /// Liquid markup, or both are empty. Same shape as MimeKit's <c>BodyBuilder</c>: one text part, or
    /// multipart/alternative with the plain part first.
    /// </summary>
    /// <param name="textBody">The plain-text body template; empty for none.</param>
    /// <param name="htmlBody">The HTML body template; empty for none.</param>
    public static StaticCampaignBody? TryCreate(string textBody, string htmlBody)
    {
        if (!IsStatic(textBody) || !IsStatic(htmlBody))
        {
            return null;
        }

        var parts = new List<EncodedPart>(2);
        if (!string.IsNullOrEmpty(textBody))
        {
            parts.Add(EncodedPart.Of("plain", textBody));
        }

        if (!string.IsNullOrEmpty(htmlBody))
        {
            parts.Add(EncodedPart.Of("html", htmlBody));
        }

        return parts.Count == 0 ? null : new StaticCampaignBody([.. parts]);
    }

    /// <summary>
    /// True when <paramref name="template"/> has no Liquid output (<c>{{</c>) or tag (<c>{%</c>): Fluid renders
    /// such a template to its own text for every recipient.
    /// </summary>
    public static bool IsStatic(string? template) =>
        string.IsNullOrEmpty(template)
        || (!template.Contains("{{", StringComparison.Ordinal) && !template.Contains("{%", StringComparison.Ordinal));

    /// <summary>New MIME entities for one message, over the shared encoded bytes.</summary>
    public MimeEntity NewEntity()
    {
        if (_parts.Length == 1)
        {
            return _parts[0].NewPart();
        }

        var alternative = new MultipartAlternative();
        foreach (var part in _parts)
        {
            alternative.Add(part.NewPart());
        }

        return alternative;
    }

    private static FormatOptions CreateCrlf()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }

    private sealed record EncodedPart(string Subtype, string Charset, byte[] Encoded, ContentEncoding Encoding)
    {
        public static EncodedPart Of(string subtype, string text)
        {
            using var part = new TextPart(subtype) { Text = text };
            // The encoding that suits any server (7-bit, RFC 5321 line length), chosen once: a part already in
            // quoted-printable or base64 is not scanned again when MailKit prepares each message.
            part.Prepare(EncodingConstraint.SevenBit);
            using var encoded = new MemoryStream();
            part.WriteTo(Crlf, encoded, contentOnly: true);
            return new EncodedPart(subtype, part.ContentType.Charset ?? "utf-8", encoded.ToArray(), part.ContentTransferEncoding);
        }

        public TextPart NewPart()
        {
            var part = new TextPart(Subtype)
            {
                ContentTransferEncoding = Encoding,
                Content = new MimeContent(new MemoryStream(Encoded, writable: false), Encoding),
            };
            part.ContentType.Charset = Charset;
            return part;
        }
    }
}
