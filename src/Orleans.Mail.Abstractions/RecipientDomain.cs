using System.Globalization;

namespace Orleans.Mail;

/// <summary>The destination domain of an address, in the form routing and pacing key on.</summary>
public static class RecipientDomain
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>
    /// The lower-case A-label (IDNA, RFC 5891) domain of <paramref name="address"/>, e.g. <c>bücher.example</c>
    /// → <c>xn--bcher-kva.example</c>.
    /// </summary>
    /// <exception cref="FormatException">No <c>@</c>, or a domain that is not a valid host name.</exception>
    public static string Of(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            throw new FormatException($"'{address}' has no domain.");
        }

        try
        {
            return Idn.GetAscii(address[(at + 1)..].TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"'{address}' has an invalid domain: {ex.Message}", ex);
        }
    }
}
