namespace Orleans.Mail.Delivery.Dkim;

/// <summary>
/// One DKIM signing key (RFC 6376): the signing domain (<c>d=</c>), the selector (<c>s=</c>) and the PEM file
/// holding the RSA private key. The public key must be published at <c>{Selector}._domainkey.{Domain}</c> as a
/// TXT record (<c>v=DKIM1; k=rsa; p=...</c>).
/// </summary>
public sealed class DkimKeyOptions
{
    /// <summary>
    /// The signing domain (<c>d=</c>), e.g. <c>shop.example</c>. It signs mail whose From domain is this domain or
    /// one of its subdomains. Case-insensitive; an IDN may be given in Unicode or xn-- form. Required.
    /// </summary>
    public string Domain { get; set; } = string.Empty;

    /// <summary>The selector (<c>s=</c>, RFC 6376 §3.1), e.g. <c>mail2025</c>. Required.</summary>
    public string Selector { get; set; } = string.Empty;

    /// <summary>
    /// The path of a PEM file with an unencrypted RSA private key (PKCS#1 <c>RSA PRIVATE KEY</c> or PKCS#8
    /// <c>PRIVATE KEY</c>), at least 1024 bits (2048 recommended). Required; read and parsed on start.
    /// </summary>
    public string PrivateKeyPath { get; set; } = string.Empty;
}
