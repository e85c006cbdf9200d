using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using System.Security.Cryptography;

namespace Orleans.Mail.Delivery.Dkim;

/// <summary>
/// Signs outgoing messages with DKIM (RFC 6376): rsa-sha256, relaxed/relaxed canonicalization, <c>d=</c> the key
/// domain that matches the From domain (the domain itself or a parent, see <see cref="DkimOptions.FindKey"/>).
/// The message is first made 7-bit clean (<c>Prepare(SevenBit, 998)</c>) so that no transport re-encodes it after
/// signing (a server without 8BITMIME, RFC 6152). Dot-stuffing happens later on the wire (RFC 5321 §4.5.2) and does
/// not touch the signed form. Parsed keys are cached per domain; safe for concurrent use, one message per call.
/// </summary>
public sealed partial class DkimMessageSigner
{
    /// <summary>The headers signed when present (RFC 6376 §5.4.1 recommends these; RFC 8058 §4 requires the List-Unsubscribe pair).</summary>
    public static readonly IReadOnlyList<string> SignedHeaders =
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "List-Unsubscribe", "List-Unsubscribe-Post",
    ];

    /// <summary>The longest line, in octets without CRLF, of the prepared message (RFC 5322 §2.1.1): 998.</summary>
    public const int MaxLineLength = 998;

    /// <summary>The smallest accepted RSA key, in bits: 1024 (RFC 8301 §3.2; verifiers reject smaller ones).</summary>
    public const int MinRsaKeyBits = 1024;

    private readonly DkimOptions _options;
    private readonly ILogger<DkimMessageSigner> _logger;
    private readonly ConcurrentDictionary<string, Lazy<DkimSigner>> _signers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DkimKeyOptions?> _keysByFromDomain = new(StringComparer.Ordinal);

    /// <summary>Creates the signer.</summary>
    /// <param name="options">The DKIM keys (validated on start).</param>
    /// <param name="logger">The logger; null for none.</param>
    public DkimMessageSigner(IOptions<DkimOptions> options, ILogger<DkimMessageSigner>? logger = null)
    {
        _options = options.Value;
        _logger = logger ?? NullLogger<DkimMessageSigner>.Instance;
    }

    /// <summary>True when at least one key is configured.</summary>
    public bool Enabled => _options.Keys.Count > 0;

    /// <summary>
    /// Signs <paramref name="message"/> when its (first) From domain has a key: prepares it as 7-bit and adds a
    /// DKIM-Signature header. The message must not be changed afterwards. Returns the <c>d=</c> domain, or null
    /// when the message was left as it was (no key, no From address, or the key file can no longer be read or
    /// parsed since it was validated on start: that is logged as an error and the message goes unsigned).
    /// </summary>
    public string? Sign(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Enabled)
        {
            return null;
        }

        var from = message.From.Mailboxes.FirstOrDefault();
        var at = from?.Address.LastIndexOf('@') ?? -1;
        if (from is null || at < 0)
        {
            return null;
        }

        var fromDomain = DkimOptions.Normalize(from.Address[(at + 1)..]);
        var key = _keysByFromDomain.GetOrAdd(fromDomain, d => _options.FindKey(d));
        if (key is null)
        {
            return null;
        }

        var domain = DkimOptions.Normalize(key.Domain);
        DkimSigner signer;
        try
        {
            // PublicationOnly: a failed load is not cached, so a key file restored later is picked up.
            signer = _signers.GetOrAdd(domain, d => new Lazy<DkimSigner>(() => Load(key, d), LazyThreadSafetyMode.PublicationOnly)).Value;
        }
        catch (InvalidOperationException ex)
        {
            // Validated on start, so the file changed since. Sending unsigned beats failing the message as if it were malformed.
            LogKeyUnusable(_logger, ex, domain, key.PrivateKeyPath);
            return null;
        }

        message.Prepare(EncodingConstraint.SevenBit, MaxLineLength);
        // Content-Type lives in the body's headers but is written (and signed) as a message header.
        var headers = SignedHeaders.Where(h => message.Headers.Contains(h) || message.Body?.Headers.Contains(h) == true).ToArray();
        signer.Sign(message, headers);
        return domain;
    }

    private DkimSigner Load(DkimKeyOptions key, string domain)
    {
        var signer = CreateSigner(key, domain);
        LogKeyLoaded(_logger, domain, key.Selector, key.PrivateKeyPath);
        return signer;
    }

    /// <summary>Parses the key of <paramref name="key"/> into a signer for <paramref name="domain"/>; the message says why it failed.</summary>
    /// <exception cref="InvalidOperationException">The file cannot be read, or holds no unencrypted PEM RSA private key of at least 1024 bits.</exception>
    internal static DkimSigner CreateSigner(DkimKeyOptions key, string domain)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(File.ReadAllText(key.PrivateKeyPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException or NotSupportedException)
        {
            throw new InvalidOperationException($"Dkim: the key for '{domain}' ({key.PrivateKeyPath}) cannot be loaded: {ex.Message}", ex);
        }

        if (rsa.KeySize < MinRsaKeyBits)
        {
            throw new InvalidOperationException($"Dkim: the key for '{domain}' ({key.PrivateKeyPath}) has {rsa.KeySize} bits; at least {MinRsaKeyBits} are required.");
        }

        RSAParameters parameters;
        try
        {
            parameters = rsa.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"Dkim: the file for '{domain}' ({key.PrivateKeyPath}) holds no RSA private key: {ex.Message}", ex);
        }

        return new NativeRsaDkimSigner(parameters, domain, key.Selector.Trim())
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "DKIM key for d={Domain} s={Selector} loaded from {Path}")]
    private static partial void LogKeyLoaded(ILogger logger, string domain, string selector, string path);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "DKIM key for d={Domain} ({Path}) cannot be loaded; the message is sent unsigned")]
    private static partial void LogKeyUnusable(ILogger logger, Exception exception, string domain, string path);
}
