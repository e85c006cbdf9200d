using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.Mail.Delivery;

/// <summary>How this engine presents itself and talks SMTP. Bound from the <c>Smtp</c> configuration section.</summary>
public sealed class SmtpOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Smtp";

    /// <summary>The name sent in EHLO (RFC 5321 §4.1.1.1); should be this host's public DNS name. Default <c>localhost.localdomain</c>.</summary>
    [Required, RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")]
    public string EhloName { get; set; } = "localhost.localdomain";

    /// <summary>The right-hand side of every Message-ID header (<c>&lt;uuid@domain&gt;</c>, RFC 5322 §3.6.4). Default <c>orleans-mail.invalid</c>.</summary>
    [Required, RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")]
    public string MessageIdDomain { get; set; } = "orleans-mail.invalid";

    /// <summary>
    /// Safety switch: when true, every connection to an address outside 127.0.0.0/8 (or ::1) is refused and
    /// the message deferred. On in the demo and every test. Default false.
    /// </summary>
    public bool LoopbackOnly { get; set; }

    /// <summary>Time to establish the TCP connection, in ms. Default 30,000.</summary>
    [Range(100, 600_000)]
    public int ConnectTimeoutMs { get; set; } = 30_000;

    /// <summary>
    /// Time to wait for any one reply, in ms. Default 600,000 (10 min), the RFC 5321 §4.5.3.2.6 minimum for
    /// the reply to the final dot, which MailKit's single timeout also governs.
    /// </summary>
    [Range(100, 3_600_000)]
    public int CommandTimeoutMs { get; set; } = 600_000;

    /// <summary>An idle pooled connection is closed (QUIT) after this long, in ms. Default 10,000.</summary>
    [Range(100, 600_000)]
    public int IdleConnectionMs { get; set; } = 10_000;

    /// <summary>
    /// Recipient domains (lower-case A-labels, matched case-insensitively) whose mail must only travel over TLS,
    /// as an MTA-STS policy in <c>enforce</c> mode (RFC 8461 §5) or DANE (RFC 7672) would demand: STARTTLS
    /// (RFC 3207) must be offered and its handshake must succeed, otherwise the messages are deferred with
    /// class <c>tls-required</c> and never sent in cleartext. Every other domain uses opportunistic TLS
    /// (RFC 7435): STARTTLS when offered, and a cleartext retry on a new connection when its handshake fails.
    /// Default none.
    /// </summary>
    public List<string> RequireTlsDomains { get; set; } = [];

    /// <summary>
    /// A PEM file of root certificates trusted for STARTTLS besides the system's (e.g. a private CA of an internal
    /// receiving server). Certificates are validated only where TLS is required (<see cref="RequireTlsDomains"/>);
    /// there the chain must reach the system's roots or one of these, and the certificate must name the MX host.
    /// Default none.
    /// </summary>
    public string? TrustedRootCertificatesPath { get; set; }

    /// <summary>
    /// When false (the default), an MX or A answer that points at a loopback, private, link-local, unique-local or
    /// otherwise non-public address is refused before connecting (the message is deferred with class
    /// <c>bad-domain</c>), so a domain owner cannot aim our silos at hosts inside our network. Set it true only where
    /// the silos deliver to an internal DNS zone on purpose. Routes and the smarthost are never checked. Has no
    /// effect under <see cref="LoopbackOnly"/>, which allows loopback alone.
    /// </summary>
    public bool AllowNonPublicMxAddresses { get; set; }

    private X509Certificate2Collection? _trustedRoots;

    /// <summary>The roots read from <see cref="TrustedRootCertificatesPath"/> (read once; empty when unset).</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The file holds no readable PEM certificate.</exception>
    public X509Certificate2Collection TrustedRootCertificates()
    {
        if (_trustedRoots is null)
        {
            var roots = new X509Certificate2Collection();
            if (!string.IsNullOrWhiteSpace(TrustedRootCertificatesPath))
            {
                roots.ImportFromPemFile(TrustedRootCertificatesPath);
            }

            _trustedRoots = roots;
        }

        return _trustedRoots;
    }

    /// <summary>True when <paramref name="domain"/> is listed in <see cref="RequireTlsDomains"/> (case-insensitive).</summary>
    public bool RequiresTls(string domain) => RequireTlsDomains.Exists(d => string.Equals(d.Trim(), domain, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The most RCPTs in one SMTP transaction (a message to several recipients of one domain is sent once to
    /// all of them); larger groups are split, and a server's "452 4.5.3 too many recipients" lowers it for
    /// the rest of the batch. Default 100 (RFC 5321 §4.5.3.1.8).
    /// </summary>
    [Range(1, 1000)]
    public int MaxRecipientsPerTransaction { get; set; } = 100;

    /// <summary>
    /// Failed connections in a row (refused, timed out, dropped before a greeting — not SMTP replies) to one
    /// MX host within a minute after which its circuit breaker opens (Polly): no connection is tried to that
    /// host for <see cref="BreakerOpenSeconds"/>; batches go to the next MX host, or back to the queue
    /// without an attempt. Default 5, at least 2.
    /// </summary>
    [Range(2, 1000)]
    public int BreakerFailures { get; set; } = 5;

    /// <summary>How long an open circuit keeps a dead MX host untried, in s, before one connection tests it. Default 60.</summary>
    [Range(1, 3600)]
    public int BreakerOpenSeconds { get; set; } = 60;

    /// <summary>
    /// The local IP address outgoing SMTP connections are made from (an IPv4 or IPv6 literal of this host):
    /// the source IP receivers see and judge reputation by, and what an SPF record must list. Connections to
    /// addresses of the other family are made from the system's choice. Default empty: the system chooses.
    /// </summary>
    [RegularExpression(@"^[0-9A-Fa-f.:]*$", ErrorMessage = "Smtp:SourceAddress must be an IPv4 or IPv6 address literal.")]
    public string SourceAddress { get; set; } = string.Empty;

    /// <summary>The parsed <see cref="SourceAddress"/>, or null when none is set.</summary>
    /// <exception cref="FormatException">It is set but not an IP address literal (also refused when the host starts).</exception>
    public System.Net.IPAddress? SourceIp() =>
        SourceAddress.Length == 0 ? null
        : System.Net.IPAddress.TryParse(SourceAddress, out var ip) ? ip
        : throw new FormatException($"Smtp:SourceAddress '{SourceAddress}' is not an IP address literal.");
}
