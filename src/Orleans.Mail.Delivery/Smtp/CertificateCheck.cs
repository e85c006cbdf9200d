using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>
/// Checks a receiving server's TLS certificate. For a destination that requires TLS the chain must build to a trusted
/// root (the system's, or the configured <see cref="SmtpOptions.TrustedRootCertificatesPath"/> roots) and the
/// certificate must name the host connected to (.NET checks the name against the MX name given as the TLS target
/// host); anything else fails the handshake. For opportunistic TLS any certificate is taken (RFC 7435: any encryption
/// beats cleartext), and <see cref="Problem"/> says why it would not have validated, so the delivery log can show the
/// session as unauthenticated.
/// </summary>
/// <param name="required">True: refuse a certificate that does not validate.</param>
/// <param name="extraRoots">Roots trusted besides the system's (empty: the system store alone).</param>
public sealed class CertificateCheck(bool required, X509Certificate2Collection extraRoots)
{
    /// <summary>Why the last certificate seen did not validate (e.g. <c>RemoteCertificateChainErrors</c>), or null when it did.</summary>
    public string? Problem { get; private set; }

    /// <summary>The <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null && extraRoots.Count > 0)
        {
            errors = ChainsToExtraRoot(certificate) ? SslPolicyErrors.None : errors;
        }

        Problem = errors == SslPolicyErrors.None ? null : errors.ToString();
        return !required || errors == SslPolicyErrors.None;
    }

    private bool ChainsToExtraRoot(X509Certificate certificate)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
