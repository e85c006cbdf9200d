namespace Orleans.Mail.Delivery.Composition;

/// <summary>
/// One-click unsubscribe (RFC 8058) for campaign messages. Bound from the <c>Unsubscribe</c> section and validated
/// on start. When <see cref="BaseUrl"/> is set, every campaign message carries
/// <c>List-Unsubscribe: &lt;{BaseUrl}/u/{token}&gt;</c> (RFC 2369) and
/// <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>; transactional messages never do.
/// </summary>
public sealed class UnsubscribeOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Unsubscribe";

    /// <summary>The shortest accepted <see cref="Secret"/>, in characters: 32.</summary>
    public const int MinSecretLength = 32;

    /// <summary>
    /// The public base URL of the gateway's unsubscribe endpoint, an absolute <c>https</c> URL without query or
    /// fragment, in ASCII (an IDN host in its xn-- form; RFC 8058 §3.1 requires HTTPS), e.g. <c>https://unsub.mailer.example.com</c>; a trailing slash is
    /// ignored. Empty (the default) turns the feature off.
    /// </summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>
    /// The HMAC-SHA256 key that signs the tokens; the gateway must have the same one. Required, at least
    /// <see cref="MinSecretLength"/> (32) characters, when <see cref="BaseUrl"/> is set. Default empty.
    /// </summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>True when <see cref="BaseUrl"/> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);

    /// <summary>The validation message used on start.</summary>
    public const string ValidationMessage =
        "Unsubscribe: BaseUrl must be empty or an absolute https URL (ASCII, no query or fragment), and Secret must then have at least 32 characters.";

    /// <summary>True when the settings are usable: off, or an https base URL with a long enough secret.</summary>
    public bool IsValid()
    {
        if (!Enabled)
        {
            return true;
        }

        // ASCII without spaces, angle brackets or commas: the URL goes verbatim into the header list (RFC 2369 §2).
        return BaseUrl.All(c => char.IsAscii(c) && c > ' ' && c is not ('<' or '>' or ',' or '\x7f'))
            && Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri)
            && uri.Scheme == Uri.UriSchemeHttps
            && string.IsNullOrEmpty(uri.Query)
            && string.IsNullOrEmpty(uri.Fragment)
            && string.IsNullOrEmpty(uri.UserInfo)
            && (Secret?.Length ?? 0) >= MinSecretLength;
    }

    /// <summary>The one-click URL for <paramref name="token"/>: <c>{BaseUrl}/u/{token}</c>.</summary>
    public string UrlFor(string token) => $"{BaseUrl.TrimEnd('/')}/u/{token}";
}
