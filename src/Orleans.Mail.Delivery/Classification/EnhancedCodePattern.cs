using System.Globalization;

namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// The enhanced-code condition of a rule: <c>*</c> (no condition), or a comma-separated list of
/// <c>class.subject.detail</c> patterns where each part is a number, <c>*</c>, or an inclusive range
/// <c>600-649</c> — <c>5.1.1</c>, <c>*.2.2</c>, <c>5.7.*</c>, <c>4.7.500-699</c>. A rule with a condition never
/// matches a reply without an enhanced code.
/// </summary>
internal sealed class EnhancedCodePattern
{
    private readonly (int Min, int Max)[][] _patterns;

    private EnhancedCodePattern((int Min, int Max)[][] patterns) => _patterns = patterns;

    public bool IsAny => _patterns.Length == 0;

    /// <exception cref="ArgumentException">A token is not such a pattern.</exception>
    public static EnhancedCodePattern Parse(string text)
    {
        if (text.Trim() is "*" or "")
        {
            return new EnhancedCodePattern([]);
        }

        var tokens = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new EnhancedCodePattern(tokens.Select(ParseToken).ToArray());
    }

    public bool Matches(EnhancedStatusCode? code) =>
        IsAny || (code is { } c && _patterns.Any(p => In(p[0], c.Class) && In(p[1], c.Subject) && In(p[2], c.Detail)));

    private static bool In((int Min, int Max) range, int value) => value >= range.Min && value <= range.Max;

    private static (int Min, int Max)[] ParseToken(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new ArgumentException($"enhanced code '{token}' is not class.subject.detail (e.g. 5.1.1, *.2.2, 4.7.500-699).");
        }

        var ranges = parts.Select(p => ParsePart(p, token)).ToArray();
        var (min, max) = ranges[0];
        var anyClass = (min, max) == (0, 999);
        if (!anyClass && !(min == max && (min is 2 or 4 or 5)))
        {
            throw new ArgumentException($"enhanced code '{token}': the class is 2, 4, 5 or * (RFC 3463).");
        }

        return ranges;
    }

    private static (int Min, int Max) ParsePart(string part, string token)
    {
        if (part == "*")
        {
            return (0, 999);
        }

        var dash = part.IndexOf('-', StringComparison.Ordinal);
        var (low, high) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
        if (int.TryParse(low, NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(high, NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            && min <= max && max <= 999)
        {
            return (min, max);
        }

        throw new ArgumentException($"enhanced code '{token}': '{part}' is not a number 0-999, a range such as 500-699, or *.");
    }
}
