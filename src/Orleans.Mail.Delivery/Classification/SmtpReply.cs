using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// One SMTP reply, single- or multi-line (RFC 5321 §4.2): every line <c>NNN-text</c> except the last,
/// <c>NNN text</c>. The basic code comes from the last line; the enhanced status code (RFC 3463, RFC 2034) is
/// kept only when it is well formed and its class equals the first digit of the basic code.
/// </summary>
public sealed partial class SmtpReply
{
    private SmtpReply(int code, EnhancedStatusCode? enhancedCode, IReadOnlyList<string> lines, string text, string flatText)
    {
        Code = code;
        EnhancedCode = enhancedCode;
        Lines = lines;
        Text = text;
        FlatText = flatText;
    }

    /// <summary>The basic reply code, 200–599, from the last line.</summary>
    public int Code { get; }

    /// <summary>The enhanced status code, or null when the reply has none or a malformed one (e.g. <c>451 5.7.3</c>).</summary>
    public EnhancedStatusCode? EnhancedCode { get; }

    /// <summary>Every non-blank line as received, code and separator included, in order.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>
    /// The text of every line without its code and separator, joined by <c>\n</c> (enhanced codes at the start of
    /// a line are kept, as MailKit's <c>SmtpResponse.Response</c> does).
    /// </summary>
    public string Text { get; }

    /// <summary>
    /// The reply on one line, the form classification patterns are matched against: the basic code, the enhanced
    /// code when present, then the text of every line with its leading code and repeated enhanced code removed,
    /// joined by single spaces, white space runs collapsed. Example:
    /// <c>550 5.1.1 The email account you tried to reach does not exist. Please check …</c>.
    /// </summary>
    public string FlatText { get; }

    /// <summary>True for 2xx and 3xx (positive) replies.</summary>
    public bool IsPositive => Code < 400;

    /// <summary>Parses a reply; lines may end with CRLF, LF or CR; blank lines are ignored.</summary>
    /// <exception cref="FormatException">
    /// The last non-blank line does not start with a three-digit code 200–599 followed by the end of the line, a
    /// space or a hyphen.
    /// </exception>
    public static SmtpReply Parse(string reply) =>
        TryParse(reply, out var parsed, out var error) ? parsed : throw new FormatException(error);

    /// <summary>Parses a reply like <see cref="Parse(string)"/>.</summary>
    /// <returns>False when the text is not an SMTP reply.</returns>
    public static bool TryParse([NotNullWhen(true)] string? reply, [NotNullWhen(true)] out SmtpReply? parsed) =>
        TryParse(reply, out parsed, out _);

    /// <summary>
    /// Builds a reply from a code and its text without codes, the form MailKit reports
    /// (<c>SmtpResponse.StatusCode</c> and <c>SmtpResponse.Response</c>, lines joined by <c>\n</c>): each text line
    /// gets the code back, <c>NNN-</c> on all but the last.
    /// </summary>
    /// <param name="code">The basic reply code, 200–599.</param>
    /// <param name="text">The text, lines separated by LF or CRLF; may be empty.</param>
    /// <exception cref="ArgumentOutOfRangeException">The code is outside 200–599.</exception>
    public static SmtpReply Create(int code, string? text)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        var lines = (text ?? string.Empty).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var prefix = code.ToString(CultureInfo.InvariantCulture);
        var reply = lines.Length == 0
            ? prefix
            : string.Join('\n', lines.Select((line, i) => prefix + (i == lines.Length - 1 ? " " : "-") + line));
        return Parse(reply);
    }

    /// <summary>The lines joined by <c>\n</c>.</summary>
    public override string ToString() => string.Join('\n', Lines);

    private static bool TryParse(string? reply, [NotNullWhen(true)] out SmtpReply? parsed, out string error)
    {
        parsed = null;
        var lines = (reply ?? string.Empty)
            .Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .ToArray();
        if (lines.Length == 0)
        {
            error = "An SMTP reply needs at least one line with a three-digit code; the text is empty.";
            return false;
        }

        if (LineCode(lines[^1]) is not { } code || code is < 200 or > 599)
        {
            error = $"Not an SMTP reply: the last line does not start with a code 200-599 (RFC 5321 §4.2): '{Shorten(lines[^1])}'.";
            return false;
        }

        var texts = lines.Select(LineText).ToArray();
        var enhanced = FindEnhancedCode(texts, code / 100);
        var flat = new StringBuilder(code.ToString(CultureInfo.InvariantCulture));
        if (enhanced is { } e)
        {
            flat.Append(' ').Append(e.ToString());
        }

        foreach (var text in texts)
        {
            flat.Append(' ').Append(WithoutLeadingCode(text, code / 100));
        }

        parsed = new SmtpReply(code, enhanced, lines, string.Join('\n', texts), Spaces().Replace(flat.ToString(), " ").Trim());
        error = string.Empty;
        return true;
    }

    /// <summary>The three-digit code at the start of a line, when followed by the end, a space or a hyphen.</summary>
    private static int? LineCode(string line) =>
        line.Length >= 3 && char.IsAsciiDigit(line[0]) && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2])
        && (line.Length == 3 || line[3] is ' ' or '-')
            ? int.Parse(line.AsSpan(0, 3), CultureInfo.InvariantCulture)
            : null;

    /// <summary>A line without its code and separator; a line without a code (malformed) is kept whole.</summary>
    private static string LineText(string line) =>
        LineCode(line) is null ? line.Trim() : line.Length > 4 ? line[4..].Trim() : string.Empty;

    /// <summary>
    /// The enhanced code: the first token of the last line, else of the first line (RFC 2034 §3 puts it at the
    /// start of the text), written bare or after a '#' (Cisco); else qmail's trailing <c>(#5.7.1)</c> on the last
    /// line. Only a well-formed code whose class equals the basic code's class counts.
    /// </summary>
    private static EnhancedStatusCode? FindEnhancedCode(string[] texts, int basicClass)
    {
        if (LeadingCode(texts[^1], basicClass) is { } last)
        {
            return last;
        }

        if (LeadingCode(texts[0], basicClass) is { } first)
        {
            return first;
        }

        var trailing = TrailingQmailCode().Match(texts[^1]);
        return trailing.Success && EnhancedStatusCode.TryParse(trailing.Groups[1].ValueSpan, out var code) && code.Class == basicClass
            ? code
            : null;
    }

    private static EnhancedStatusCode? LeadingCode(string text, int basicClass)
    {
        var token = text.AsSpan();
        var end = token.IndexOfAny(' ', '\t');
        token = end < 0 ? token : token[..end];
        if (token.StartsWith("#"))
        {
            token = token[1..];
        }

        return EnhancedStatusCode.TryParse(token, out var code) && code.Class == basicClass ? code : null;
    }

    private static string WithoutLeadingCode(string text, int basicClass)
    {
        if (LeadingCode(text, basicClass) is null)
        {
            return text;
        }

        var space = text.IndexOfAny([' ', '\t']);
        return space < 0 ? string.Empty : text[(space + 1)..];
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";

    [GeneratedRegex(@"\(#([0-9.]+)\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingQmailCode();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();
}
