using MimeKit;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.Gateway.Validation;

/// <summary>Checks of addresses, header fields and sizes, with MimeKit's parser in strict RFC 5322 mode.</summary>
public static class MailRules
{
    private static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
    };

    /// <summary>Checks an RFC 5322 mailbox (<c>Name &lt;addr&gt;</c> or a bare address); records why it is bad.</summary>
    public static void Mailbox(FieldErrors errors, string field, string value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(field, "is required");
            }

            return;
        }

        if (MailboxProblem(value) is { } problem)
        {
            errors.Add(field, problem);
        }
    }

    /// <summary>Why <paramref name="value"/> is not a usable mailbox, or null when it is.</summary>
    public static string? MailboxProblem(string value)
    {
        if (HasLineBreak(value))
        {
            return "must not contain CR or LF";
        }

        if (!MailboxAddress.TryParse(Strict, value, out var mailbox) || !mailbox.Address.Contains('@'))
        {
            return $"'{value}' is not a valid RFC 5322 mailbox";
        }

        return DomainProblem(mailbox.Address);
    }

    /// <summary>Why <paramref name="value"/> is not a bare address (addr-spec) we can deliver to, or null when it is.</summary>
    public static string? AddressProblem(string value)
    {
        if (HasLineBreak(value))
        {
            return "must not contain CR or LF";
        }

        var trimmed = value.Trim();
        if (trimmed.Length == 0 || trimmed.Length > 254
            || !MailboxAddress.TryParse(Strict, trimmed, out var mailbox)
            || !SameAddress(mailbox.Address, trimmed)
            || !string.IsNullOrEmpty(mailbox.Name))
        {
            return $"'{value}' is not a valid address (addr-spec)";
        }

        return DomainProblem(trimmed);
    }

    // MimeKit hands back an A-label domain (xn--…) decoded to Unicode, so compare both spellings.
    private static bool SameAddress(string parsed, string given)
    {
        if (string.Equals(parsed, given, StringComparison.Ordinal))
        {
            return true;
        }

        var at = given.LastIndexOf('@');
        try
        {
            return at > 0 && string.Equals(parsed, given[..at] + "@" + Idn.GetUnicode(given[(at + 1)..]), StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static readonly System.Globalization.IdnMapping Idn = new();

    private static string? DomainProblem(string address)
    {
        try
        {
            var domain = RecipientDomain.Of(address);
            return domain.Contains('.') ? null : $"'{address}' has no fully qualified domain";
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Checks extra header fields: printable-ASCII names without ':' and values without CR or LF.</summary>
    public static void Headers(FieldErrors errors, IReadOnlyList<Api.V1.Header> headers)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if (header.Name.Length == 0 || header.Name.Any(c => c <= ' ' || c >= 127 || c == ':'))
            {
                errors.Add($"headers[{i}].name", "must be printable ASCII without spaces or ':'");
            }

            if (HasLineBreak(header.Value))
            {
                errors.Add($"headers[{i}].value", "must not contain CR or LF");
            }
        }
    }

    /// <summary>A plain header value (such as Subject): records CR or LF.</summary>
    public static void HeaderValue(FieldErrors errors, string field, string value)
    {
        if (HasLineBreak(value))
        {
            errors.Add(field, "must not contain CR or LF");
        }
    }

    /// <summary>Records the largest field when the content exceeds <paramref name="maxBytes"/> (UTF-8).</summary>
    public static void Size(FieldErrors errors, int maxBytes, params (string Field, string Value)[] parts)
    {
        var total = parts.Sum(p => System.Text.Encoding.UTF8.GetByteCount(p.Value));
        if (total > maxBytes)
        {
            var largest = parts.MaxBy(p => System.Text.Encoding.UTF8.GetByteCount(p.Value));
            errors.Add(largest.Field, $"the message is {total} bytes, over the limit of {maxBytes} bytes");
        }
    }

    /// <summary>True when the text holds a CR or LF.</summary>
    public static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;
}
