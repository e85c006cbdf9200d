using System.Globalization;

namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// An enhanced mail system status code, <c>class.subject.detail</c> (RFC 3463 §2, registry of RFC 5248):
/// class 2 (success), 4 (persistent transient failure) or 5 (permanent failure); subject and detail 0–999,
/// written with one to three digits. Example: <c>5.1.1</c>, bad destination mailbox address.
/// </summary>
public readonly record struct EnhancedStatusCode
{
    /// <summary>Creates a code.</summary>
    /// <param name="class">2, 4 or 5.</param>
    /// <param name="subject">0–999.</param>
    /// <param name="detail">0–999.</param>
    /// <exception cref="ArgumentOutOfRangeException">A part is outside its range.</exception>
    public EnhancedStatusCode(int @class, int subject, int detail)
    {
        if (@class is not (2 or 4 or 5))
        {
            throw new ArgumentOutOfRangeException(nameof(@class), @class, "The class of an enhanced status code is 2, 4 or 5 (RFC 3463).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(subject);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subject, 999);
        ArgumentOutOfRangeException.ThrowIfNegative(detail);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(detail, 999);
        Class = @class;
        Subject = subject;
        Detail = detail;
    }

    /// <summary>2 success, 4 transient failure, 5 permanent failure.</summary>
    public int Class { get; }

    /// <summary>The subject (0–999): 1 addressing, 2 mailbox, 3 mail system, 4 network and routing, 5 protocol, 6 content, 7 security or policy.</summary>
    public int Subject { get; }

    /// <summary>The detail within the subject (0–999).</summary>
    public int Detail { get; }

    /// <summary>
    /// Reads exactly <c>class.subject.detail</c> (no white space, no sign, one to three digits per number).
    /// Accepts nothing else: <c>5.1</c>, <c>3.1.1</c>, <c>5.1.1000</c> and <c>554.30</c> are not codes.
    /// </summary>
    /// <returns>False when the text is not a well-formed code.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out EnhancedStatusCode code)
    {
        code = default;
        Span<Range> parts = stackalloc Range[4];
        if (text.Split(parts, '.') != 3)
        {
            return false;
        }

        var c = text[parts[0]];
        if (c.Length != 1 || c[0] is not ('2' or '4' or '5')
            || !TryNumber(text[parts[1]], out var subject) || !TryNumber(text[parts[2]], out var detail))
        {
            return false;
        }

        code = new EnhancedStatusCode(c[0] - '0', subject, detail);
        return true;
    }

    /// <summary>Reads a code like <see cref="TryParse(ReadOnlySpan{char}, out EnhancedStatusCode)"/>.</summary>
    /// <exception cref="FormatException">The text is not a well-formed code.</exception>
    public static EnhancedStatusCode Parse(string text) =>
        TryParse(text, out var code) ? code : throw new FormatException($"'{text}' is not an enhanced status code (class.subject.detail, RFC 3463).");

    /// <summary>The code as written on the wire, e.g. <c>5.7.26</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Class}.{Subject}.{Detail}");

    private static bool TryNumber(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (digits.Length is < 1 or > 3)
        {
            return false;
        }

        foreach (var d in digits)
        {
            if (!char.IsAsciiDigit(d))
            {
                return false;
            }

            value = (value * 10) + (d - '0');
        }

        return true;
    }
}
