using System.Globalization;

namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// The basic-code condition of a rule: <c>*</c> (any failure), or a comma-separated list of three-character
/// patterns where <c>x</c> stands for any digit — <c>4xx</c>, <c>5xx</c>, <c>55x</c>, <c>550</c>.
/// </summary>
internal sealed class BasicCodePattern
{
    private readonly string[] _patterns;

    private BasicCodePattern(string[] patterns) => _patterns = patterns;

    public bool IsAny => _patterns.Length == 0;

    /// <exception cref="ArgumentException">A token is not three characters of digits or <c>x</c>, or does not start with 4 or 5.</exception>
    public static BasicCodePattern Parse(string text)
    {
        if (text.Trim() is "*" or "")
        {
            return new BasicCodePattern([]);
        }

        var tokens = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToLowerInvariant())
            .ToArray();
        foreach (var token in tokens)
        {
            if (token.Length != 3 || token[0] is not ('4' or '5') || token.Any(c => c != 'x' && !char.IsAsciiDigit(c)))
            {
                throw new ArgumentException($"code '{token}' is not a failure code pattern such as 4xx, 5xx, 55x or 550 (rules see only 4xx and 5xx replies).");
            }
        }

        return new BasicCodePattern(tokens);
    }

    public bool Matches(int code)
    {
        if (IsAny)
        {
            return true;
        }

        var digits = code.ToString("000", CultureInfo.InvariantCulture);
        return _patterns.Any(p => p[0] == digits[0] && (p[1] == 'x' || p[1] == digits[1]) && (p[2] == 'x' || p[2] == digits[2]));
    }
}
