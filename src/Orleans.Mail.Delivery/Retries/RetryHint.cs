using System.Text.RegularExpressions;

namespace Orleans.Mail.Delivery.Retries;

/// <summary>
/// Reads a retry hint from reply text, e.g. "try again in 5 minutes", "retry after 300 seconds",
/// "please try again later in 1 hour". Servers that say when to come back are obeyed.
/// </summary>
public static partial class RetryHint
{
    /// <summary>The wait the reply asks for, or null when it names none.</summary>
    public static TimeSpan? Parse(string? reply)
    {
        if (string.IsNullOrEmpty(reply))
        {
            return null;
        }

        var match = HintPattern().Match(reply);
        if (!match.Success || !int.TryParse(match.Groups["n"].Value, out var n))
        {
            return null;
        }

        return match.Groups["unit"].Value.ToLowerInvariant()[0] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => null,
        };
    }

    [GeneratedRegex(@"\b(?:try|retry)(?:\s+again)?(?:\s+later)?\s+(?:in|after)\s+(?<n>\d{1,6})\s*(?<unit>s(?:ec(?:ond)?s?)?|m(?:in(?:ute)?s?)?|h(?:(?:ou)?rs?)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex HintPattern();
}
