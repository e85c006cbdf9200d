using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Orleans.Mail.Delivery.Dkim;

namespace Orleans.Mail.Delivery.Tests.Dkim;

/// <summary>An RSA-2048 key written to a temporary PEM file, and a verifier that finds its public key in memory.</summary>
internal sealed class DkimTestKey : IDisposable
{
    private static readonly Lazy<DkimTestKey> SharedKey = new(() =>
    {
        var key = new DkimTestKey();
        // Never disposed by a test: its private-key file goes when the test process ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => key.Dispose();
        return key;
    });

    public DkimTestKey(int bits = 2048)
    {
        Rsa = RSA.Create(bits);
        PrivateKeyPath = Path.Combine(Path.GetTempPath(), $"dkim-test-{Guid.NewGuid():N}.pem");
        File.WriteAllText(PrivateKeyPath, Rsa.ExportRSAPrivateKeyPem());
    }

    /// <summary>One key shared by the tests of this run (generating RSA-2048 keys is slow).</summary>
    public static DkimTestKey Shared => SharedKey.Value;

    public RSA Rsa { get; }

    public string PrivateKeyPath { get; }

    /// <summary>The DNS TXT record (RFC 6376 §3.6.1) publishing the public key.</summary>
    public string TxtRecord => $"v=DKIM1; k=rsa; p={Convert.ToBase64String(Rsa.ExportSubjectPublicKeyInfo())}";

    public DkimKeyOptions Key(string domain, string selector = "sel1") => new() { Domain = domain, Selector = selector, PrivateKeyPath = PrivateKeyPath };

    public DkimMessageSigner Signer(params string[] domains) =>
        new(Options.Create(new DkimOptions { Keys = domains.Select(d => Key(d)).ToList() }));

    /// <summary>Verifies the (first) DKIM-Signature of <paramref name="message"/> against this key, whatever d= and s= say.</summary>
    public bool Verify(MimeMessage message)
    {
        var header = message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)];
        return new DkimVerifier(new Locator(TxtRecord)).Verify(message, header, TestContext.Current.CancellationToken);
    }

    public void Dispose()
    {
        Rsa.Dispose();
        File.Delete(PrivateKeyPath);
    }

    /// <summary>Returns one TXT record for every selector and domain.</summary>
    private sealed class Locator(string txt) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            GetPublicKey(txt);

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(GetPublicKey(txt));
    }
}

/// <summary>Reads the tags of a DKIM-Signature header value (RFC 6376 §3.2).</summary>
internal static class DkimTags
{
    public static IReadOnlyDictionary<string, string> Of(MimeMessage message)
    {
        var value = message.Headers[HeaderId.DkimSignature] ?? throw new InvalidOperationException("no DKIM-Signature header");
        return value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(tag => tag.Split('=', 2))
            .ToDictionary(p => p[0], p => string.Concat(p[1].Where(c => !char.IsWhiteSpace(c))), StringComparer.Ordinal);
    }

    public static IReadOnlyList<string> SignedHeaders(MimeMessage message) =>
        Of(message)["h"].Split(':').Select(h => h.ToLowerInvariant()).ToList();
}
