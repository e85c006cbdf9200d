using System.Security.Cryptography;
using Orleans.Mail.Delivery.Dkim;

namespace Orleans.Mail.Delivery.Tests.Dkim;

/// <summary>Key lookup by From domain and validation on start of <see cref="DkimOptions"/>.</summary>
public sealed class DkimOptionsTests
{
    private static DkimTestKey Key => DkimTestKey.Shared;

    private static DkimOptions With(params DkimKeyOptions[] keys) => new() { Keys = [.. keys] };

    [Theory]
    [InlineData("shop.example", "shop.example")]
    [InlineData("SHOP.Example", "shop.example")]
    [InlineData("news.shop.example", "shop.example")]
    [InlineData("a.b.shop.example", "shop.example")]
    [InlineData("mail.other.example", "mail.other.example")]
    [InlineData("x.mail.other.example", "mail.other.example")]
    [InlineData("other.example", null)]
    [InlineData("example", null)]
    [InlineData("shop.example.net", null)]
    [InlineData("", null)]
    public void FindKey_FromDomain_DomainOrNearestParent(string fromDomain, string? expected)
    {
        var options = With(Key.Key("shop.example"), Key.Key("mail.other.example"), Key.Key("example"));
        options.Keys.RemoveAt(2); // a single-label key would never be valid; lookups stop at two labels anyway

        Assert.Equal(expected, options.FindKey(fromDomain)?.Domain);
    }

    [Fact]
    public void FindKey_KeysForDomainAndParent_DomainItselfWins()
    {
        var options = With(Key.Key("shop.example"), Key.Key("news.shop.example"));

        Assert.Equal("news.shop.example", options.FindKey("news.shop.example")?.Domain);
        Assert.Equal("shop.example", options.FindKey("other.shop.example")?.Domain);
    }

    [Fact]
    public void FindKey_UnicodeDomain_MatchesItsAsciiForm()
    {
        Assert.NotNull(With(Key.Key("xn--bcher-kva.example")).FindKey("news.bücher.example"));
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new DkimOptionsValidator().Validate(null, new DkimOptions()).Succeeded);
        Assert.Empty(new DkimOptions().Keys);
        Assert.False(new DkimOptions().RequireForCampaigns);
    }

    [Fact]
    public void Validate_ReadableRsaKey_Succeeds()
    {
        var result = new DkimOptionsValidator().Validate(null, With(Key.Key("shop.example")));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_Pkcs8Key_Succeeds()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Key.Rsa.ExportPkcs8PrivateKeyPem());
            var result = new DkimOptionsValidator().Validate(null, With(new DkimKeyOptions { Domain = "shop.example", Selector = "s", PrivateKeyPath = path }));
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("garbage")]
    [InlineData("public")]
    [InlineData("ec")]
    [InlineData("small")]
    public void Validate_UnusableKeyFile_Fails(string kind)
    {
        var path = Path.Combine(Path.GetTempPath(), $"dkim-bad-{Guid.NewGuid():N}.pem");
        try
        {
            switch (kind)
            {
                case "garbage":
                    File.WriteAllText(path, "-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all\n-----END RSA PRIVATE KEY-----\n");
                    break;
                case "public":
                    File.WriteAllText(path, Key.Rsa.ExportSubjectPublicKeyInfoPem());
                    break;
                case "ec":
                    using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                    {
                        File.WriteAllText(path, ec.ExportPkcs8PrivateKeyPem());
                    }

                    break;
                case "small":
                    using (var small = RSA.Create(512))
                    {
                        File.WriteAllText(path, small.ExportRSAPrivateKeyPem());
                    }

                    break;
            }

            var result = new DkimOptionsValidator().Validate(null, With(new DkimKeyOptions { Domain = "shop.example", Selector = "s", PrivateKeyPath = path }));

            Assert.True(result.Failed);
            Assert.Contains("Dkim:Keys:0", result.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("", "sel")]
    [InlineData("localhost", "sel")]
    [InlineData("shop.example", "")]
    [InlineData("shop.example", "bad selector")]
    [InlineData("shop.example", "-sel")]
    public void Validate_BadDomainOrSelector_Fails(string domain, string selector)
    {
        var result = new DkimOptionsValidator().Validate(null, With(new DkimKeyOptions { Domain = domain, Selector = selector, PrivateKeyPath = Key.PrivateKeyPath }));

        Assert.True(result.Failed);
    }

    [Fact]
    public void Validate_TwoKeysForOneDomain_Fails()
    {
        var result = new DkimOptionsValidator().Validate(null, With(Key.Key("shop.example"), Key.Key("SHOP.example.", "sel2")));

        Assert.True(result.Failed);
        Assert.Contains("more than one key", result.FailureMessage, StringComparison.Ordinal);
    }
}
