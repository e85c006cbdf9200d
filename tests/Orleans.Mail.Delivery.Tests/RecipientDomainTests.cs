namespace Orleans.Mail.Delivery.Tests;

public sealed class RecipientDomainTests
{
    [Theory]
    [InlineData("ann@example.com", "example.com")]
    [InlineData("Ann@Example.COM", "example.com")]
    [InlineData("BOB@MAIL.EXAMPLE.ORG", "mail.example.org")]
    [InlineData("ann@example.com.", "example.com")]
    public void Of_AsciiDomain_ReturnsLowerCaseDomain(string address, string expected)
    {
        Assert.Equal(expected, RecipientDomain.Of(address));
    }

    [Theory]
    [InlineData("leser@bücher.example", "xn--bcher-kva.example")]
    [InlineData("leser@BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("leser@xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("leser@XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example")]
    [InlineData("user@例え.jp", "xn--r8jz45g.jp")]
    public void Of_InternationalDomain_ReturnsLowerCaseALabel(string address, string expected)
    {
        Assert.Equal(expected, RecipientDomain.Of(address));
    }

    [Fact]
    public void Of_QuotedLocalPartWithAt_UsesPartAfterLastAt()
    {
        Assert.Equal("example.net", RecipientDomain.Of("\"a@b\"@Example.NET"));
    }

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("")]
    [InlineData("example.com")]
    public void Of_MissingAt_ThrowsFormatException(string address)
    {
        Assert.Throws<FormatException>(() => RecipientDomain.Of(address));
    }

    [Theory]
    [InlineData("ann@")]
    [InlineData("ann@.")]
    [InlineData("@example.com")]
    public void Of_EmptyDomainOrLocalPart_ThrowsFormatException(string address)
    {
        Assert.Throws<FormatException>(() => RecipientDomain.Of(address));
    }

    [Theory]
    [InlineData("ann@exa mple.com")]
    [InlineData("ann@exa_mple.com")]
    [InlineData("ann@example..com")]
    [InlineData("ann@-example.com")]
    public void Of_InvalidHostName_ThrowsFormatException(string address)
    {
        var ex = Assert.Throws<FormatException>(() => RecipientDomain.Of(address));
        Assert.Contains("invalid domain", ex.Message);
    }
}
