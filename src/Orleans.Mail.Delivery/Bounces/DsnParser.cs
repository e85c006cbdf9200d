using System.Text;
using MimeKit;
using MimeKit.Utils;
using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Bounces;

/// <summary>
/// Reads delivery status notifications (RFC 3464) carried in <c>multipart/report; report-type=delivery-status</c>
/// (RFC 6522): the Message-ID of the returned message and the per-recipient groups. Robust to the usual MIME
/// variants — the status part as <c>message/delivery-status</c> or <c>message/global-delivery-status</c> (RFC 6533),
/// in any transfer encoding, lines ended by CRLF or LF, field names in any case, folded fields, several groups —
/// and to the returned message as <c>text/rfc822-headers</c>, <c>message/rfc822</c> or <c>message/global</c>.
/// Best effort for non-standard reports: a group without recipient fields takes the DSN's <c>X-Failed-Recipients</c>
/// or the returned message's single <c>To</c>; a missing Action is inferred from the Status; Status and
/// Diagnostic-Code found only in the per-message group count as one recipient group.
/// A DSN whose returned message is itself a <c>multipart/report</c> or had a null envelope sender
/// (<c>Return-Path: &lt;&gt;</c>) is ignored, so reports about reports never loop. Stateless and thread-safe.
/// </summary>
public static class DsnParser
{
    /// <summary>Parses raw message bytes (RFC 5322).</summary>
    /// <param name="rawMessage">The message as received, headers and body.</param>
    /// <returns>The report; <see cref="DsnIgnoreReason.NotADsn"/> when the bytes are not a MIME message or not a DSN.</returns>
    public static DsnReport Parse(byte[] rawMessage)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(rawMessage, writable: false);
            message = MimeMessage.Load(stream);
        }
        catch (FormatException)
        {
            return DsnReport.Ignore(DsnIgnoreReason.NotADsn);
        }

        return Parse(message);
    }

    /// <summary>Parses a loaded message.</summary>
    /// <param name="message">The message that may be a DSN.</param>
    /// <returns>The report, or an ignored report (<see cref="DsnReport.Ignored"/>).</returns>
    public static DsnReport Parse(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (FindReport(message.Body) is not { } report)
        {
            return DsnReport.Ignore(DsnIgnoreReason.NotADsn);
        }

        MimeEntity? statusPart = null;
        HeaderList? returned = null;
        var returnedIsReport = false;
        foreach (var part in report)
        {
            var type = part.ContentType;
            if (type.IsMimeType("message", "delivery-status") || type.IsMimeType("message", "global-delivery-status"))
            {
                statusPart ??= part;
            }
            else if (returned is null && part is MessagePart { Message: { } inner })
            {
                returned = inner.Headers;
                returnedIsReport = inner.Body is Multipart { ContentType: var innerType } && innerType.IsMimeType("multipart", "report");
            }
            else if (returned is null && part is MimePart headersPart
                && (type.IsMimeType("text", "rfc822-headers") || type.IsMimeType("message", "global-headers")))
            {
                returned = LoadHeaders(headersPart);
            }
        }

        if (returned is not null)
        {
            var returnedType = returned[HeaderId.ContentType];
            var returnPath = returned[HeaderId.ReturnPath];
            if (returnedIsReport
                || (returnedType is not null && ContentType.TryParse(returnedType, out var parsedType) && parsedType.IsMimeType("multipart", "report"))
                || (returnPath is not null && returnPath.Trim() == "<>"))
            {
                return DsnReport.Ignore(DsnIgnoreReason.AboutADsn);
            }
        }

        var messageId = MessageIdOf(returned?[HeaderId.MessageId])
            ?? MessageIdOf(message.Headers[HeaderId.InReplyTo])
            ?? message.References.FirstOrDefault();
        var groups = statusPart is MimePart status ? ReadGroups(DecodeText(status)) : [];
        var fallbackRecipient = FallbackRecipient(message, returned);
        return new DsnReport(messageId, RecipientsOf(groups, fallbackRecipient));
    }

    /// <summary>The first delivery-status report in the body, looking into multiparts but never into attached messages.</summary>
    private static MultipartReport? FindReport(MimeEntity? entity)
    {
        if (entity is MultipartReport report && string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return report;
        }

        if (entity is Multipart multipart)
        {
            foreach (var child in multipart)
            {
                if (FindReport(child) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static string DecodeText(MimePart part)
    {
        if (part.Content is null)
        {
            return string.Empty;
        }

        using var decoded = new MemoryStream();
        part.Content.DecodeTo(decoded);
        return Encoding.UTF8.GetString(decoded.ToArray());
    }

    private static HeaderList? LoadHeaders(MimePart part)
    {
        var text = DecodeText(part);
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.TrimEnd() + "\r\n\r\n"));
            return HeaderList.Load(stream);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Splits status text into groups at blank lines and unfolds each group's fields (names lower-case).</summary>
    internal static List<Dictionary<string, string>> ReadGroups(string text)
    {
        var groups = new List<Dictionary<string, string>>();
        Dictionary<string, string>? group = null;
        string? lastName = null;
        foreach (var line in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                group = null;
                lastName = null;
                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                if (group is not null && lastName is not null)
                {
                    group[lastName] = group[lastName] + " " + line.Trim();
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            if (group is null)
            {
                group = new Dictionary<string, string>(StringComparer.Ordinal);
                groups.Add(group);
            }

            // A repeated field keeps its first value; its continuation lines are dropped with it.
            var name = line[..colon].Trim().ToLowerInvariant();
            lastName = group.TryAdd(name, line[(colon + 1)..].Trim()) ? name : null;
        }

        return groups;
    }

    private static List<DsnRecipient> RecipientsOf(List<Dictionary<string, string>> groups, string? fallbackRecipient)
    {
        static bool IsRecipientGroup(Dictionary<string, string> g) =>
            g.ContainsKey("final-recipient") || g.ContainsKey("original-recipient") || g.ContainsKey("action") || g.ContainsKey("status");

        // RFC 3464 §2.1: the first group is per-message; a non-standard report may put Status/Diagnostic-Code there.
        var candidates = groups.Skip(1).Where(IsRecipientGroup).ToList();
        if (candidates.Count == 0 && groups.Count > 0 && (groups[0].ContainsKey("status") || groups[0].ContainsKey("diagnostic-code")))
        {
            candidates.Add(groups[0]);
        }

        var recipients = new List<DsnRecipient>(candidates.Count);
        foreach (var group in candidates)
        {
            var address = AddressOf(group.GetValueOrDefault("final-recipient"))
                ?? AddressOf(group.GetValueOrDefault("original-recipient"))
                ?? (candidates.Count == 1 ? fallbackRecipient : null);
            EnhancedStatusCode? status = StatusOf(group.GetValueOrDefault("status"));
            var diagnostic = TypedValue(group.GetValueOrDefault("diagnostic-code"));
            var action = ActionOf(group.GetValueOrDefault("action"), status);
            recipients.Add(new DsnRecipient(address, action, status, diagnostic));
        }

        return recipients;
    }

    private static EnhancedStatusCode? StatusOf(string? value)
    {
        if (value is null)
        {
            return null;
        }

        // "5.1.1", "5.1.1 (bad destination mailbox)" or "5.1.1 user unknown": the first token.
        var token = value.Split([' ', '\t', '('], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return token is not null && EnhancedStatusCode.TryParse(token, out var code) ? code : null;
    }

    private static DsnAction ActionOf(string? value, EnhancedStatusCode? status)
    {
        var word = value?.Split([' ', '\t', '('], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.ToLowerInvariant();
        return word switch
        {
            "failed" => DsnAction.Failed,
            "delayed" => DsnAction.Delayed,
            "delivered" => DsnAction.Delivered,
            "relayed" => DsnAction.Relayed,
            "expanded" => DsnAction.Expanded,
            _ => status?.Class switch
            {
                5 => DsnAction.Failed,
                4 => DsnAction.Delayed,
                2 => DsnAction.Delivered,
                _ => DsnAction.Unknown,
            },
        };
    }

    /// <summary>The value after an RFC 3464 type (<c>rfc822;</c>, <c>smtp;</c>, <c>X-Postfix;</c>); the whole value when untyped.</summary>
    private static string? TypedValue(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        var text = semicolon >= 0 && value[..semicolon].Trim() is { Length: > 0 } type && !type.Contains(' ', StringComparison.Ordinal)
            ? value[(semicolon + 1)..]
            : value;
        text = text.Trim();
        return text.Length == 0 ? null : text;
    }

    private static string? AddressOf(string? value)
    {
        var text = TypedValue(value);
        if (text is null)
        {
            return null;
        }

        text = text.Trim('<', '>', ' ', '\t');
        return text.Contains('@', StringComparison.Ordinal) ? text : null;
    }

    private static string? MessageIdOf(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var parsed = MimeUtils.EnumerateReferences(value).FirstOrDefault();
        return parsed ?? value.Trim().Trim('<', '>');
    }

    private static string? FallbackRecipient(MimeMessage message, HeaderList? returned)
    {
        if (message.Headers["X-Failed-Recipients"] is { } failed
            && failed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is [var single])
        {
            return single.Trim('<', '>');
        }

        if (returned?[HeaderId.To] is { } to && InternetAddressList.TryParse(to, out var list)
            && list.Mailboxes.ToList() is [var mailbox])
        {
            return mailbox.Address;
        }

        return null;
    }
}
