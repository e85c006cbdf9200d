using System.Collections.Concurrent;
using System.Security.Cryptography;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Orleans.Mail.Delivery.Dkim;

/// <summary>
/// MimeKit's <see cref="DkimSigner"/> (canonicalization, tags, header selection) with the RSA-SHA256 signature made by
/// .NET's <see cref="RSA"/> (OpenSSL) instead of BouncyCastle's managed RSA: ~0.5 ms instead of ~6-10 ms per message
/// for a 2048-bit key. Safe for concurrent use: each signature uses its own hash and a pooled <see cref="RSA"/>.
/// </summary>
internal sealed class NativeRsaDkimSigner : DkimSigner
{
    private readonly RSAParameters _parameters;
    private readonly ConcurrentBag<RSA> _pool = [];

    /// <summary>Creates a signer for <paramref name="domain"/> and <paramref name="selector"/> from the private key <paramref name="parameters"/>.</summary>
    public NativeRsaDkimSigner(RSAParameters parameters, string domain, string selector)
        : base(DotNetUtilities.GetRsaKeyPair(parameters).Private, domain, selector, DkimSignatureAlgorithm.RsaSha256)
    {
        _parameters = parameters;
    }

    /// <inheritdoc />
    protected override ISigner CreateSigningContext() => new Context(this);

    private RSA Rent()
    {
        if (_pool.TryTake(out var rsa))
        {
            return rsa;
        }

        rsa = RSA.Create();
        rsa.ImportParameters(_parameters);
        return rsa;
    }

    /// <summary>One signature: SHA-256 over what MimeKit writes, then RSASSA-PKCS1-v1_5 (RFC 8017) as RFC 6376 §3.3.1 requires.</summary>
    private sealed class Context(NativeRsaDkimSigner owner) : ISigner
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string AlgorithmName => "SHA-256withRSA";

        public void Init(bool forSigning, ICipherParameters parameters)
        {
            if (!forSigning)
            {
                throw new NotSupportedException("This context only signs.");
            }
        }

        public void Update(byte input) => _hash.AppendData([input]);

        public void BlockUpdate(byte[] input, int inOff, int inLen) => _hash.AppendData(input, inOff, inLen);

        public void BlockUpdate(ReadOnlySpan<byte> input) => _hash.AppendData(input);

        public int GetMaxSignatureSize() => (owner._parameters.Modulus?.Length) ?? 0;

        public byte[] GenerateSignature()
        {
            var digest = _hash.GetHashAndReset();
            var rsa = owner.Rent();
            try
            {
                return rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
            finally
            {
                owner._pool.Add(rsa);
            }
        }

        public bool VerifySignature(byte[] signature) => throw new NotSupportedException("This context only signs.");

        public void Reset() => _hash.GetHashAndReset();
    }
}
