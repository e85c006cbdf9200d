using Microsoft.Extensions.Options;

namespace Orleans.Mail.Delivery.Dkim;

/// <summary>
/// Validates <see cref="DkimOptions"/> on start: every key has a valid domain and selector (RFC 6376 §3.1), at most
/// one key per domain, and a readable PEM file with an unencrypted RSA private key of at least 1024 bits.
/// </summary>
public sealed class DkimOptionsValidator : IValidateOptions<DkimOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DkimOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            if (key is null)
            {
                failures.Add($"Dkim:Keys:{i} is empty.");
                continue;
            }

            var domain = DkimOptions.Normalize(key.Domain);
            if (domain.Length == 0 || !domain.Contains('.'))
            {
                failures.Add($"Dkim:Keys:{i}:Domain '{key.Domain}' must be a domain name with at least two labels.");
                continue;
            }

            if (!seen.Add(domain))
            {
                failures.Add($"Dkim:Keys:{i}:Domain '{key.Domain}' has more than one key.");
            }

            if (!IsSelector(key.Selector?.Trim()))
            {
                failures.Add($"Dkim:Keys:{i}:Selector '{key.Selector}' must be one or more dot-separated labels of letters, digits and hyphens.");
            }

            if (string.IsNullOrWhiteSpace(key.PrivateKeyPath))
            {
                failures.Add($"Dkim:Keys:{i}:PrivateKeyPath is required.");
                continue;
            }

            try
            {
                DkimMessageSigner.CreateSigner(key, domain);
            }
            catch (InvalidOperationException ex)
            {
                failures.Add($"Dkim:Keys:{i}: {ex.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsSelector(string? selector) =>
        !string.IsNullOrEmpty(selector)
        && selector.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_')
            && label[0] != '-' && label[^1] != '-');
}
