using MimeKit;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.Gateway.Validation;

/// <summary>Checks of addresses, header fields and sizes, with MimeKit's parser in strict RFC 5322 mode.</summary>
public static partial class MailRules
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

        // MimeKit's strict parser lets control characters (NUL too) through inside a quoted display name, and
        // PostgreSQL cannot store NUL: refuse them here, before anything is parsed or stored.
        if (TextProblem(value, MaxMailboxChars, allowLineBreaks: false) is { } textProblem)
        {
            return textProblem;
        }

        if (!MailboxAddress.TryParse(Strict, value, out var mailbox) || !mailbox.Address.Contains('@'))
        {
            return $"{Echo(value)} is not a valid RFC 5322 mailbox";
        }

        return AddressLengthProblem(mailbox.Address) ?? DomainProblem(mailbox.Address);
    }

    /// <summary>Checks an optional bare address (addr-spec), e.g. an envelope sender; records why it is bad.</summary>
    public static void Address(FieldErrors errors, string field, string value)
    {
        if (!string.IsNullOrEmpty(value) && AddressProblem(value) is { } problem)
        {
            errors.Add(field, problem);
        }
    }

    /// <summary>Longest template variable value, in characters.</summary>
    public const int MaxVariableChars = 10_000;

    /// <summary>
    /// Why a recipient's template variable is unusable, or null: names are 1–64 letters, digits and
    /// underscores starting with a letter or underscore, and not <c>email</c> (the engine sets it to the
    /// recipient's address); values hold no line breaks or control characters and at most
    /// <see cref="MaxVariableChars"/> characters.
    /// </summary>
    public static string? VariableProblem(string name, string value)
    {
        if (!VariableName().IsMatch(name))
        {
            return $"variable name {Echo(name)} must be 1-64 letters, digits or '_' and start with a letter or '_'";
        }

        if (name.Equals("email", StringComparison.OrdinalIgnoreCase))
        {
            return "variable name 'email' is reserved for the recipient's address";
        }

        return HasLineBreak(value) ? "must not contain CR or LF" : TextProblem(value, MaxVariableChars, allowLineBreaks: false);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex VariableName();

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
            return $"{Echo(value)} is not a valid address (addr-spec)";
        }

        return AddressLengthProblem(trimmed) ?? DomainProblem(trimmed);
    }

    /// <summary>Longest mailbox (display name and address), in characters. Default 1,000.</summary>
    public const int MaxMailboxChars = 1_000;

    /// <summary>Longest echo of a caller's value in an error text, in characters (the rest is elided).</summary>
    public const int MaxEchoChars = 200;

    /// <summary>
    /// The caller's value quoted for an error text: at most <see cref="MaxEchoChars"/> characters, then "…" and the
    /// full length, so a huge bad value neither floods logs nor overflows the response trailers (64 KB in grpc-dotnet).
    /// </summary>
    public static string Echo(string value) => value.Length <= MaxEchoChars
        ? $"'{value}'"
        : $"'{value[..MaxEchoChars]}…' ({value.Length} characters)";

    // RFC 5321 §4.5.3.1.1 and §4.5.3.1.3 (with the path's angle brackets, 256 octets): a local part of at most 64
    // octets and an address of at most 254. Longer addresses cannot be delivered, nor stored as suppression keys.
    private static string? AddressLengthProblem(string address)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(address) > 254)
        {
            return $"{Echo(address)} is over 254 octets (RFC 5321 section 4.5.3.1.3)";
        }

        var at = address.LastIndexOf('@');
        return at > 0 && System.Text.Encoding.UTF8.GetByteCount(address.AsSpan(0, at)) > 64
            ? $"{Echo(address)} has a local part over 64 octets (RFC 5321 section 4.5.3.1.1)"
            : null;
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
            return domain.Contains('.') ? null : $"{Echo(address)} has no fully qualified domain";
        }
        catch (FormatException)
        {
            // Address literals ([127.0.0.1]) and labels over 63 octets end here; say it plainly.
            return $"{Echo(address)} has a domain that is not a valid host name";
        }
    }

    /// <summary>
    /// Fields the engine writes itself on every message (RFC 5322 §3.6 and RFC 2045 allow each at most once), so an
    /// extra header of that name would put a second one on the wire (receivers such as Gmail reject that as not
    /// RFC 5322 compliant).
    /// </summary>
    public static IReadOnlyList<string> EngineFields { get; } =
        ["From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"];

    /// <summary>Fields the engine does not write but RFC 5322 §3.6 allows at most once: an extra header may set each once.</summary>
    public static IReadOnlyList<string> SingletonFields { get; } = ["Sender", "Reply-To", "In-Reply-To", "References"];

    /// <summary>
    /// Fields an extra header may never set: <c>Bcc</c> (it would show blind copies to every recipient, and
    /// headers are not envelope recipients), trace and signature fields that only transports write, and the
    /// MIME structure (<c>Content-*</c>), which the engine builds.
    /// </summary>
    public static IReadOnlyList<string> ForbiddenFields { get; } = ["Bcc", "Return-Path", "Received", "DKIM-Signature", "Resent-From", "Resent-To"];

    /// <summary>Longest header value accepted, in characters (RFC 5322 §2.1.1: 998 per line).</summary>
    public const int MaxHeaderValueChars = 998;

    /// <summary>
    /// Checks extra header fields: printable-ASCII names without ':' and values without CR or LF; no field the
    /// engine writes itself (<see cref="EngineFields"/>), no second copy of a <see cref="SingletonFields"/> field,
    /// and a Message-ID value in RFC 5322 msg-id syntax (<c>&lt;left@right&gt;</c>).
    /// </summary>
    public static void Headers(FieldErrors errors, IReadOnlyList<Api.V1.Header> headers)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            var name = header.Name;
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
            {
                errors.Add($"headers[{i}].name", "must be printable ASCII without spaces or ':'");
            }
            else if (ForbiddenFields.Contains(name, StringComparer.OrdinalIgnoreCase) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"headers[{i}].name", $"{Echo(name)} may not be set as an extra header");
            }
            else if (EngineFields.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"headers[{i}].name", $"{Echo(name)} is written by the engine and must appear only once; set it through its request field, not as an extra header");
            }
            else if (SingletonFields.FirstOrDefault(f => f.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } singleton && !seen.Add(singleton))
            {
                errors.Add($"headers[{i}].name", $"{Echo(name)} must appear only once (RFC 5322 section 3.6)");
            }

            if (HasLineBreak(header.Value))
            {
                errors.Add($"headers[{i}].value", "must not contain CR or LF");
            }
            else if (TextProblem(header.Value, MaxHeaderValueChars, allowLineBreaks: false) is { } problem)
            {
                errors.Add($"headers[{i}].value", problem);
            }
            else if (name.Equals("Message-ID", StringComparison.OrdinalIgnoreCase) && !IsMessageId(header.Value))
            {
                errors.Add($"headers[{i}].value", $"{Echo(header.Value)} is not a valid msg-id (RFC 5322 section 3.6.4: <left@right>)");
            }
        }
    }

    /// <summary>True when <paramref name="value"/> is one RFC 5322 msg-id, <c>&lt;id-left@id-right&gt;</c>, surrounding blanks allowed.</summary>
    public static bool IsMessageId(string value) => MessageId().IsMatch(value.Trim(' ', '\t'));

    /// <summary>A plain header value (such as Subject): records CR or LF, control characters, broken Unicode, or over 998 characters.</summary>
    public static void HeaderValue(FieldErrors errors, string field, string value)
    {
        if (HasLineBreak(value))
        {
            errors.Add(field, "must not contain CR or LF");
        }
        else if (TextProblem(value, MaxHeaderValueChars, allowLineBreaks: false) is { } problem)
        {
            errors.Add(field, problem);
        }
    }

    /// <summary>A body or other free text: records NUL and other control characters (tab, CR and LF allowed), broken Unicode, or over <paramref name="maxChars"/>.</summary>
    public static void Text(FieldErrors errors, string field, string value, int maxChars)
    {
        if (TextProblem(value, maxChars, allowLineBreaks: true) is { } problem)
        {
            errors.Add(field, problem);
        }
    }

    /// <summary>
    /// Why <paramref name="value"/> is not acceptable text, or null: control characters other than tab (and
    /// CR/LF when <paramref name="allowLineBreaks"/>), Unicode line and paragraph separators where line breaks
    /// are not allowed, unpaired UTF-16 surrogates, or more than <paramref name="maxChars"/> characters.
    /// PostgreSQL cannot store NUL in text, so NUL must never get past the gateway.
    /// </summary>
    public static string? TextProblem(string value, int maxChars, bool allowLineBreaks)
    {
        if (value.Length > maxChars)
        {
            return $"is {value.Length} characters, over the limit of {maxChars}";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return "is not valid Unicode (unpaired surrogate)";
            }

            var lineBreak = c is '\r' or '\n';
            if ((char.IsControl(c) && c != '\t' && !(allowLineBreaks && lineBreak))
                || (!allowLineBreaks && c is '\u2028' or '\u2029' or '\u0085'))
            {
                return c == '\0' ? "must not contain NUL characters" : $"must not contain control character U+{(int)c:X4}";
            }
        }

        return null;
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

    // RFC 5322 §3.6.4 msg-id: "<" dot-atom-text "@" (dot-atom-text / no-fold-literal) ">".
    [System.Text.RegularExpressions.GeneratedRegex(
        @"^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*|\[[\x21-\x5A\x5E-\x7E]*\])>$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex MessageId();
}
