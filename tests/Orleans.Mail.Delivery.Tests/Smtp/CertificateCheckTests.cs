using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Mail.Delivery.Smtp;

namespace Orleans.Mail.Delivery.Tests.Smtp;

public sealed class CertificateCheckTests
{
    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    [Fact]
    public void Validate_RequiredAndSelfSignedByAttacker_RefusedWithProblem()
    {
        using var attacker = SelfSigned("attacker.invalid");
        var check = new CertificateCheck(required: true, []);

        Assert.False(check.Validate(this, attacker, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.Contains("RemoteCertificateNameMismatch", check.Problem);
    }

    [Fact]
    public void Validate_RequiredAndValid_Accepted()
    {
        using var certificate = SelfSigned("mx.example.org");
        var check = new CertificateCheck(required: true, []);

        Assert.True(check.Validate(this, certificate, null, SslPolicyErrors.None));
        Assert.Null(check.Problem);
    }

    [Fact]
    public void Validate_RequiredAndChainsToConfiguredRoot_Accepted()
    {
        using var root = SelfSigned("mx.internal.test");
        var check = new CertificateCheck(required: true, [root]);

        Assert.True(check.Validate(this, root, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Validate_RequiredConfiguredRootButNameMismatch_Refused()
    {
        using var root = SelfSigned("other.internal.test");
        var check = new CertificateCheck(required: true, [root]);

        Assert.False(check.Validate(this, root, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public void Validate_OpportunisticAndSelfSigned_AcceptedButRecordedUnauthenticated()
    {
        using var certificate = SelfSigned("whatever.invalid");
        var check = new CertificateCheck(required: false, []);

        Assert.True(check.Validate(this, certificate, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("RemoteCertificateChainErrors", check.Problem);
    }
}
