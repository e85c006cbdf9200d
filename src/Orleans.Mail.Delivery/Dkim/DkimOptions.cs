using System.Globalization;

namespace Orleans.Mail.Delivery.Dkim;

/// <summary>
/// DKIM signing (RFC 6376), bound from the <c>Dkim</c> section and validated on start (every key file readable and
/// a parseable RSA key). A message whose From domain, or a parent of it down to its organizational domain
/// (approximated by the last two labels), has a key is signed with <c>d=</c> that key's domain.
/// </summary>
public sealed class DkimOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Dkim";

    /// <summary>
    /// The signing keys, at most one per domain. Default empty (nothing is signed). Configuration appends to this
    /// list (<c>Dkim:Keys:0:Domain</c>, <c>Dkim:Keys:0:Selector</c>, <c>Dkim:Keys:0:PrivateKeyPath</c>, ...).
    /// </summary>
    public List<DkimKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// When true, creating a campaign whose From domain has no key (neither the domain nor a parent domain)
    /// fails with FAILED_PRECONDITION, since Gmail and Outlook.com reject unauthenticated bulk mail
    /// (550 5.7.26, 550 5.7.515). Default false.
    /// </summary>
    public bool RequireForCampaigns { get; set; }

    /// <summary>
    /// The key that signs mail from <paramref name="fromDomain"/>: the one for the domain itself, else for the
    /// nearest parent domain with at least two labels; null when there is none or the domain is not valid.
    /// </summary>
    /// <param name="fromDomain">The domain of the From address (Unicode or xn-- form, any case).</param>
    public DkimKeyOptions? FindKey(string fromDomain)
    {
        foreach (var candidate in Candidates(fromDomain))
        {
            foreach (var key in Keys)
            {
                if (string.Equals(Normalize(key.Domain), candidate, StringComparison.Ordinal))
                {
                    return key;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The domains that may sign for <paramref name="fromDomain"/>, nearest first: the domain, then each parent
    /// down to the last two labels (the organizational domain, approximated).
    /// </summary>
    internal static IEnumerable<string> Candidates(string fromDomain)
    {
        var domain = Normalize(fromDomain);
        if (domain.Length == 0)
        {
            yield break;
        }

        yield return domain;
        var labels = domain.Split('.');
        for (var i = 1; i <= labels.Length - 2; i++)
        {
            yield return string.Join('.', labels, i, labels.Length - i);
        }
    }

    /// <summary>The lower-case ASCII (xn--) form of <paramref name="domain"/> without a trailing dot; empty if not a valid domain.</summary>
    internal static string Normalize(string? domain)
    {
        var trimmed = domain?.Trim().TrimEnd('.') ?? string.Empty;
        if (trimmed.Length == 0)
        {
            return string.Empty;
        }

        try
        {
            return new IdnMapping().GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return string.Empty;
        }
    }
}
